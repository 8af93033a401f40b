import { z } from 'zod'
import { DEFAULT_MODEL, MODEL_IDS } from '../models'
import { sizeValueProblem } from '../pixel-sizes'
import {
  BACKGROUNDS,
  OUTPUT_FORMATS,
  PromptSchema,
  TRANSPARENT_JPEG_MESSAGE,
  transparentNeedsAlpha,
} from './image-request'

/**
 * OpenAI's image request fields, as the official SDK sends them (`CreateImageRequest`,
 * `CreateImageEditRequest`, `EditImageBodyJsonParam`), mapped onto Promptframe's own request.
 * Fields that change nothing here (user, moderation, output_compression, input_fidelity) are accepted.
 */
const nullable = <T extends z.ZodType>(schema: T) =>
  schema.nullish().transform((value) => value ?? undefined)

const openAiSize = z
  .string()
  .superRefine((value, ctx) => {
    const problem = value === 'auto' ? null : sizeValueProblem(value)
    if (problem)
      ctx.addIssue({ code: 'custom', message: `size "${value}" can't be used. ${problem}` })
  })
  .transform((value) => (value === 'auto' ? '1:1' : value))

const openAiQuality = z
  .enum(['low', 'medium', 'high', 'auto'], { error: 'quality must be low, medium, high or auto.' })
  .transform((value) => (value === 'auto' ? 'medium' : value))

const imageCount = z
  .number({ error: 'n must be a whole number from 1 to 10.' })
  .int({ error: 'n must be a whole number from 1 to 10.' })
  .min(1, { error: 'n must be from 1 to 10.' })
  .max(10, { error: 'n must be from 1 to 10.' })

const openAiFields = {
  prompt: PromptSchema,
  model: nullable(
    z.enum(MODEL_IDS, { error: `model must be one of ${MODEL_IDS.join(', ')}.` }),
  ).transform((value) => value ?? DEFAULT_MODEL),
  n: nullable(imageCount).transform((value) => value ?? 1),
  size: nullable(openAiSize).transform((value) => value ?? '1:1'),
  quality: nullable(openAiQuality).transform((value) => value ?? 'medium'),
  background: nullable(
    z.enum(BACKGROUNDS, { error: 'background must be transparent, opaque or auto.' }),
  ).transform((value) => value ?? 'auto'),
  output_format: nullable(
    z.enum(OUTPUT_FORMATS, { error: 'output_format must be png, jpeg or webp.' }),
  ).transform((value) => value ?? 'png'),
  response_format: nullable(
    z.enum(['b64_json', 'url'], { error: 'response_format must be b64_json or url.' }),
  ),
  stream: nullable(z.boolean()),
  partial_images: nullable(z.number().int().min(0).max(3)),
  output_compression: nullable(z.number().int().min(0).max(100)),
  moderation: nullable(z.enum(['low', 'auto'])),
  user: nullable(z.string()),
}

export const OpenAiGenerationRequestSchema = z
  .object(openAiFields, { error: 'The request body must be a JSON object.' })
  .refine(transparentNeedsAlpha, { error: TRANSPARENT_JPEG_MESSAGE, path: ['background'] })

export type OpenAiGenerationRequest = z.output<typeof OpenAiGenerationRequestSchema>

export const OpenAiJsonEditRequestSchema = z
  .object(
    {
      ...openAiFields,
      images: z
        .array(
          z.object({
            image_url: z
              .string({ error: 'Give each image as image_url with a data: URL.' })
              .startsWith('data:', { error: 'Only data: URLs are accepted for image_url here.' }),
          }),
          { error: 'images must list 1 to 16 images.' },
        )
        .min(1, { error: 'images must list at least one image.' })
        .max(16, { error: 'images may list at most 16 images.' }),
      mask: z.unknown().optional(),
      input_fidelity: nullable(z.enum(['high', 'low'])),
    },
    { error: 'The request body must be a JSON object.' },
  )
  .refine(transparentNeedsAlpha, { error: TRANSPARENT_JPEG_MESSAGE, path: ['background'] })

/** Multipart form fields arrive as text. */
const formNumber = z.coerce.number()
export const OpenAiFormEditFieldsSchema = z
  .object({
    ...openAiFields,
    n: nullable(formNumber.pipe(imageCount)).transform((value) => value ?? 1),
    stream: nullable(z.enum(['true', 'false']).transform((value) => value === 'true')),
    partial_images: nullable(formNumber.pipe(z.number().int().min(0).max(3))),
    output_compression: nullable(formNumber.pipe(z.number().int().min(0).max(100))),
    input_fidelity: nullable(z.enum(['high', 'low'])),
  })
  .refine(transparentNeedsAlpha, { error: TRANSPARENT_JPEG_MESSAGE, path: ['background'] })

/** OpenAI's `ImagesResponse`. */
export const OpenAiImagesResponseSchema = z.object({
  created: z.number().int(),
  data: z.array(z.object({ b64_json: z.string().optional(), url: z.string().optional() })),
  background: z.enum(['transparent', 'opaque']).optional(),
  output_format: z.enum(['png', 'webp', 'jpeg']).optional(),
  size: z.enum(['1024x1024', '1024x1536', '1536x1024']).optional(),
  quality: z.enum(['low', 'medium', 'high']).optional(),
})

export type OpenAiImagesResponse = z.infer<typeof OpenAiImagesResponseSchema>
