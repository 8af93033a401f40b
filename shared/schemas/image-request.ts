import * as z from 'zod/mini'
import { MAX_PROMPT_LENGTH } from '../limits'
import { DEFAULT_MODEL, MODEL_IDS, QUALITIES } from '../models'
import { sizeValueProblem } from '../pixel-sizes'

export const BACKGROUNDS = ['auto', 'opaque', 'transparent'] as const
export const OUTPUT_FORMATS = ['png', 'jpeg', 'webp'] as const
export type Background = (typeof BACKGROUNDS)[number]
export type OutputFormat = (typeof OUTPUT_FORMATS)[number]

const PROMPT_MISSING = 'Write a prompt: describe the image you want.'

export const PromptSchema = z.string({ error: PROMPT_MISSING }).check(
  z.trim(),
  z.minLength(1, { error: PROMPT_MISSING }),
  z.maxLength(MAX_PROMPT_LENGTH, {
    error: `The prompt is too long: keep it under ${MAX_PROMPT_LENGTH.toLocaleString('en-US')} characters.`,
  }),
)

export const SizeSchema = z
  .string({ error: 'Size must be an aspect ratio such as 16:9 or an exact size such as 1536x864.' })
  .check(
    z.superRefine((value, ctx) => {
      const problem = sizeValueProblem(value)
      if (problem)
        ctx.addIssue({
          code: 'custom',
          message: `Size "${value}" can't be used. ${problem}`,
          input: value,
        })
    }),
  )

const COUNT_MESSAGE = 'n, the number of images, must be a whole number from 1 to 10.'

export const ImageCountSchema = z
  .int({ error: COUNT_MESSAGE })
  .check(
    z.gte(1, { error: 'Ask for at least 1 image.' }),
    z.lte(10, { error: 'Ask for at most 10 images at once.' }),
  )

const SeedSchema = z
  .int({ error: 'seed must be a whole number.' })
  .check(
    z.gte(0, { error: 'seed must be 0 or more.' }),
    z.lte(2 ** 31 - 1, { error: 'seed is too large.' }),
  )

export const ModelSchema = z.enum(MODEL_IDS, {
  error: `Choose one of these models: ${MODEL_IDS.join(', ')}.`,
})
export const QualitySchema = z.enum(QUALITIES, { error: 'Quality must be low, medium or high.' })
export const BackgroundSchema = z.enum(BACKGROUNDS, {
  error: 'Background must be auto, opaque or transparent.',
})
export const OutputFormatSchema = z.enum(OUTPUT_FORMATS, {
  error: 'Format must be png, jpeg or webp.',
})

/** The fields every image request shares, generate and edit alike. */
export const imageOptionsShape = {
  prompt: PromptSchema,
  model: z._default(ModelSchema, DEFAULT_MODEL),
  size: z._default(SizeSchema, '1:1'),
  quality: z._default(QualitySchema, 'medium'),
  n: z._default(ImageCountSchema, 1),
  background: z._default(BackgroundSchema, 'auto'),
  output_format: z._default(OutputFormatSchema, 'png'),
  stream: z.optional(z.boolean({ error: 'stream must be true or false.' })),
  seed: z.optional(SeedSchema),
}

export function transparentNeedsAlpha(body: unknown): boolean {
  const fields = body as { background?: Background; output_format?: OutputFormat }
  return !(fields.background === 'transparent' && fields.output_format === 'jpeg')
}

export const TRANSPARENT_JPEG_MESSAGE =
  'A transparent background needs PNG or WebP: JPEG has no transparency. Choose PNG, or an opaque background.'

const alphaCheck = z.refine(transparentNeedsAlpha, {
  error: TRANSPARENT_JPEG_MESSAGE,
  path: ['background'],
})

/** Strict objects name the unknown field, so a typo is easy to find. */
export function objectError(issue: { code?: string; keys?: string[] }): string {
  return issue.code === 'unrecognized_keys' && issue.keys
    ? `Unknown field ${issue.keys.map((key) => `"${key}"`).join(', ')}: remove it and try again.`
    : 'The request body must be a JSON object.'
}

export const GenerateRequestSchema = z
  .strictObject(imageOptionsShape, { error: objectError })
  .check(alphaCheck)

export type GenerateRequestInput = z.input<typeof GenerateRequestSchema>
export type GenerateRequest = z.output<typeof GenerateRequestSchema>

const DATA_URL_MESSAGE = 'Each reference must be a data: URL of a PNG, JPEG or WebP image.'

/** A reference image sent inside JSON, as a data: URL. */
export const DataUrlSchema = z.string({ error: DATA_URL_MESSAGE }).check(
  z.regex(/^data:image\/(png|jpeg|jpg|webp);base64,[A-Za-z0-9+/=\s]+$/, {
    error: DATA_URL_MESSAGE,
  }),
)

const MASK_URL_MESSAGE =
  'The mask must be a data: URL of a PNG with transparency (data:image/png;base64,…).'

/** A mask sent inside JSON: a PNG whose transparent pixels mark the area to change. */
export const MaskDataUrlSchema = z
  .string({ error: MASK_URL_MESSAGE })
  .check(z.regex(/^data:image\/png;base64,[A-Za-z0-9+/=\s]+$/, { error: MASK_URL_MESSAGE }))

export const EditJsonRequestSchema = z
  .strictObject(
    {
      ...imageOptionsShape,
      mask: z.optional(MaskDataUrlSchema),
      references: z
        .array(DataUrlSchema, { error: 'Add 1 to 16 reference images.' })
        .check(
          z.minLength(1, { error: 'Add at least one reference image.' }),
          z.maxLength(16, { error: 'Use at most 16 reference images.' }),
        ),
    },
    { error: objectError },
  )
  .check(alphaCheck)

export type EditJsonRequest = z.output<typeof EditJsonRequestSchema>

/** Form fields are text: numbers and booleans are read from their text. */
export const formNumber = <T extends z.ZodMiniType<number, number>>(schema: T, message: string) =>
  z.pipe(
    z.pipe(
      z.string({ error: message }),
      z.transform((value) => (/^-?\d+(\.\d+)?$/.test(value.trim()) ? Number(value) : Number.NaN)),
    ),
    schema,
  )

export const formBoolean = z.pipe(
  z.enum(['true', 'false'], { error: 'stream must be true or false.' }),
  z.transform((value) => value === 'true'),
)

/** The edit fields sent as multipart form fields, beside the reference file parts. */
export const EditFormFieldsSchema = z
  .strictObject(
    {
      ...imageOptionsShape,
      n: z._default(formNumber(ImageCountSchema, COUNT_MESSAGE), 1),
      stream: z.optional(formBoolean),
      seed: z.optional(formNumber(SeedSchema, 'seed must be a whole number.')),
    },
    { error: objectError },
  )
  .check(alphaCheck)
