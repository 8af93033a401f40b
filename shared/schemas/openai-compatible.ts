import * as z from 'zod/mini'
import { DEFAULT_MODEL, MODEL_IDS } from '../models'
import { sizeValueProblem } from '../pixel-sizes'
import {
  BACKGROUNDS,
  formBoolean,
  formNumber,
  OUTPUT_FORMATS,
  PromptSchema,
  TRANSPARENT_JPEG_MESSAGE,
  transparentNeedsAlpha,
} from './image-request'

/**
 * OpenAI's image request fields, as the official SDK sends them (`CreateImageRequest`,
 * `CreateImageEditRequest`, `EditImageBodyJsonParam`), mapped onto Promptframe's own request.
 * Fields that change nothing here (user, moderation, output_compression, input_fidelity) are accepted;
 * null counts as absent, as in OpenAI's spec.
 */
function withDefault<T extends z.ZodMiniType, D extends NonNullable<z.output<T>>>(
  schema: T,
  fallback: D,
) {
  return z.pipe(
    z.nullish(schema),
    z.transform(
      (value: z.output<T> | null | undefined) => (value ?? fallback) as NonNullable<z.output<T>>,
    ),
  )
}

function optional<T extends z.ZodMiniType>(schema: T) {
  return z.pipe(
    z.nullish(schema),
    z.transform(
      (value: z.output<T> | null | undefined) => (value ?? undefined) as z.output<T> | undefined,
    ),
  )
}

const openAiSize = z.pipe(
  z.string({ error: 'size must be auto or WIDTHxHEIGHT.' }).check(
    z.superRefine((value, ctx) => {
      const problem = value === 'auto' ? null : sizeValueProblem(value)
      if (problem)
        ctx.addIssue({
          code: 'custom',
          message: `size "${value}" can't be used. ${problem}`,
          input: value,
        })
    }),
  ),
  z.transform((value) => (value === 'auto' ? '1:1' : value)),
)

const openAiQuality = z.pipe(
  z.enum(['low', 'medium', 'high', 'auto'], {
    error: 'quality must be low, medium, high or auto.',
  }),
  z.transform((value) => (value === 'auto' ? 'medium' : value)),
)

const COUNT_MESSAGE = 'n must be a whole number from 1 to 10.'
const imageCount = z
  .int({ error: COUNT_MESSAGE })
  .check(z.gte(1, { error: COUNT_MESSAGE }), z.lte(10, { error: COUNT_MESSAGE }))
const partialImages = z.int({ error: 'partial_images must be 0 to 3.' }).check(z.gte(0), z.lte(3))
const compression = z
  .int({ error: 'output_compression must be 0 to 100.' })
  .check(z.gte(0), z.lte(100))

const openAiFields = {
  prompt: PromptSchema,
  model: withDefault(
    z.enum(MODEL_IDS, { error: `model must be one of ${MODEL_IDS.join(', ')}.` }),
    DEFAULT_MODEL,
  ),
  n: withDefault(imageCount, 1),
  size: withDefault(openAiSize, '1:1'),
  quality: withDefault(openAiQuality, 'medium'),
  background: withDefault(
    z.enum(BACKGROUNDS, { error: 'background must be transparent, opaque or auto.' }),
    'auto',
  ),
  output_format: withDefault(
    z.enum(OUTPUT_FORMATS, { error: 'output_format must be png, jpeg or webp.' }),
    'png',
  ),
  response_format: optional(
    z.enum(['b64_json', 'url'], { error: 'response_format must be b64_json or url.' }),
  ),
  stream: optional(z.boolean({ error: 'stream must be true or false.' })),
  partial_images: optional(partialImages),
  output_compression: optional(compression),
  moderation: optional(z.enum(['low', 'auto'], { error: 'moderation must be low or auto.' })),
  user: optional(z.string()),
  input_fidelity: optional(
    z.enum(['high', 'low'], { error: 'input_fidelity must be high or low.' }),
  ),
}

const alphaCheck = z.refine(transparentNeedsAlpha, {
  error: TRANSPARENT_JPEG_MESSAGE,
  path: ['background'],
})
const NOT_AN_OBJECT = 'The request body must be a JSON object.'

export const OpenAiGenerationRequestSchema = z
  .object(openAiFields, { error: NOT_AN_OBJECT })
  .check(alphaCheck)

export type OpenAiGenerationRequest = z.output<typeof OpenAiGenerationRequestSchema>

export const OpenAiJsonEditRequestSchema = z
  .object(
    {
      ...openAiFields,
      images: z
        .array(
          z.object({
            image_url: z.string({ error: 'Give each image as image_url with a data: URL.' }).check(
              z.startsWith('data:', {
                error: 'Only data: URLs are accepted for image_url here.',
              }),
            ),
          }),
          { error: 'images must list 1 to 16 images.' },
        )
        .check(
          z.minLength(1, { error: 'images must list at least one image.' }),
          z.maxLength(16, { error: 'images may list at most 16 images.' }),
        ),
      mask: z.optional(
        z.object(
          {
            image_url: z
              .string({ error: 'Give the mask as image_url with a data: URL of a PNG.' })
              .check(
                z.startsWith('data:image/png;base64,', {
                  error: 'The mask must be a data: URL of a PNG (data:image/png;base64,…).',
                }),
              ),
          },
          { error: 'Give the mask as { "image_url": "data:image/png;base64,…" }.' },
        ),
      ),
    },
    { error: NOT_AN_OBJECT },
  )
  .check(alphaCheck)

/** Multipart form fields arrive as text. */
export const OpenAiFormEditFieldsSchema = z
  .object({
    ...openAiFields,
    n: withDefault(formNumber(imageCount, COUNT_MESSAGE), 1),
    stream: optional(formBoolean),
    partial_images: optional(formNumber(partialImages, 'partial_images must be 0 to 3.')),
    output_compression: optional(formNumber(compression, 'output_compression must be 0 to 100.')),
  })
  .check(alphaCheck)

/** OpenAI's `ImagesResponse`. */
export const OpenAiImagesResponseSchema = z.object({
  created: z.int(),
  data: z.array(z.object({ b64_json: z.optional(z.string()), url: z.optional(z.string()) })),
  background: z.optional(z.enum(['transparent', 'opaque'])),
  output_format: z.optional(z.enum(['png', 'webp', 'jpeg'])),
  size: z.optional(z.enum(['1024x1024', '1024x1536', '1536x1024'])),
  quality: z.optional(z.enum(['low', 'medium', 'high'])),
})

export type OpenAiImagesResponse = z.infer<typeof OpenAiImagesResponseSchema>
