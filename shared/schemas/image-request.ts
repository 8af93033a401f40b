import { z } from 'zod'
import { MAX_PROMPT_LENGTH } from '../limits'
import { DEFAULT_MODEL, MODEL_IDS, QUALITIES } from '../models'
import { sizeValueProblem } from '../pixel-sizes'

export const BACKGROUNDS = ['auto', 'opaque', 'transparent'] as const
export const OUTPUT_FORMATS = ['png', 'jpeg', 'webp'] as const
export type Background = (typeof BACKGROUNDS)[number]
export type OutputFormat = (typeof OUTPUT_FORMATS)[number]

export const PromptSchema = z
  .string({ error: 'Write a prompt: describe the image you want.' })
  .trim()
  .min(1, { error: 'Write a prompt: describe the image you want.' })
  .max(MAX_PROMPT_LENGTH, {
    error: `The prompt is too long: keep it under ${MAX_PROMPT_LENGTH.toLocaleString('en-US')} characters.`,
  })

const sizeSchema = z
  .string({ error: 'Size must be an aspect ratio such as 16:9 or an exact size such as 1536x864.' })
  .superRefine((value, ctx) => {
    const problem = sizeValueProblem(value)
    if (problem)
      ctx.addIssue({ code: 'custom', message: `Size "${value}" can't be used. ${problem}` })
  })

const imageCountSchema = z
  .number({ error: 'n, the number of images, must be a whole number from 1 to 10.' })
  .int({ error: 'n, the number of images, must be a whole number from 1 to 10.' })
  .min(1, { error: 'Ask for at least 1 image.' })
  .max(10, { error: 'Ask for at most 10 images at once.' })

const seedSchema = z
  .number({ error: 'seed must be a whole number.' })
  .int({ error: 'seed must be a whole number.' })
  .min(0, { error: 'seed must be 0 or more.' })
  .max(2 ** 31 - 1, { error: 'seed is too large.' })

/** The fields every image request shares, generate and edit alike. */
export const imageOptionsShape = {
  prompt: PromptSchema,
  model: z
    .enum(MODEL_IDS, { error: `Choose one of these models: ${MODEL_IDS.join(', ')}.` })
    .default(DEFAULT_MODEL),
  size: sizeSchema.default('1:1'),
  quality: z.enum(QUALITIES, { error: 'Quality must be low, medium or high.' }).default('medium'),
  n: imageCountSchema.default(1),
  background: z
    .enum(BACKGROUNDS, { error: 'Background must be auto, opaque or transparent.' })
    .default('auto'),
  output_format: z
    .enum(OUTPUT_FORMATS, { error: 'Format must be png, jpeg or webp.' })
    .default('png'),
  stream: z.boolean({ error: 'stream must be true or false.' }).optional(),
  seed: seedSchema.optional(),
}

export function transparentNeedsAlpha(body: {
  background: Background
  output_format: OutputFormat
}) {
  return !(body.background === 'transparent' && body.output_format === 'jpeg')
}

export const TRANSPARENT_JPEG_MESSAGE =
  'A transparent background needs PNG or WebP: JPEG has no transparency. Choose PNG, or an opaque background.'

export const GenerateRequestSchema = z
  .strictObject(imageOptionsShape, {
    error: (issue) =>
      issue.code === 'unrecognized_keys'
        ? `Unknown field ${issue.keys.map((key) => `"${key}"`).join(', ')}: remove it and try again.`
        : 'The request body must be a JSON object.',
  })
  .refine(transparentNeedsAlpha, { error: TRANSPARENT_JPEG_MESSAGE, path: ['background'] })

export type GenerateRequestInput = z.input<typeof GenerateRequestSchema>
export type GenerateRequest = z.output<typeof GenerateRequestSchema>

/** A reference image sent inside JSON, as a data: URL. */
export const DataUrlSchema = z
  .string({ error: 'Each reference must be a data: URL of a PNG, JPEG or WebP image.' })
  .regex(/^data:image\/(png|jpeg|jpg|webp);base64,[A-Za-z0-9+/=\s]+$/, {
    error: 'Each reference must be a data: URL of a PNG, JPEG or WebP image.',
  })

export const EditJsonRequestSchema = z
  .strictObject(
    {
      ...imageOptionsShape,
      references: z
        .array(DataUrlSchema, { error: 'Add 1 to 16 reference images.' })
        .min(1, { error: 'Add at least one reference image.' })
        .max(16, { error: 'Use at most 16 reference images.' }),
    },
    {
      error: (issue) =>
        issue.code === 'unrecognized_keys'
          ? `Unknown field ${issue.keys.map((key) => `"${key}"`).join(', ')}: remove it and try again.`
          : 'The request body must be a JSON object.',
    },
  )
  .refine(transparentNeedsAlpha, { error: TRANSPARENT_JPEG_MESSAGE, path: ['background'] })

export type EditJsonRequest = z.output<typeof EditJsonRequestSchema>

/** The edit fields sent as multipart form fields (all text), beside the reference file parts. */
export const EditFormFieldsSchema = z
  .strictObject({
    ...imageOptionsShape,
    n: z.coerce
      .number({ error: 'n, the number of images, must be a whole number from 1 to 10.' })
      .pipe(imageCountSchema)
      .default(1),
    stream: z
      .enum(['true', 'false'], { error: 'stream must be true or false.' })
      .transform((value) => value === 'true')
      .optional(),
    seed: z.coerce.number().pipe(seedSchema).optional(),
  })
  .refine(transparentNeedsAlpha, { error: TRANSPARENT_JPEG_MESSAGE, path: ['background'] })
