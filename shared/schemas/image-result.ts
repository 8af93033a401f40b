import * as z from 'zod/mini'
import { MODEL_IDS, PROVIDERS, QUALITIES } from '../models'
import { okEnvelope } from './envelope'

export const ImageMimeTypeSchema = z.enum(['image/png', 'image/jpeg', 'image/webp'])
export type ImageMimeType = z.infer<typeof ImageMimeTypeSchema>

const count = z.int().check(z.gte(0))
const positive = z.int().check(z.gte(1))

export const GeneratedImageSchema = z.object({
  id: z.string(),
  index: count,
  url: z.url(),
  width: positive,
  height: positive,
  mime_type: ImageMimeTypeSchema,
  bytes: positive,
  /** True when the offline preview renderer made it: a stand-in, not model output. */
  preview: z.boolean(),
})

export type GeneratedImage = z.infer<typeof GeneratedImageSchema>

export const CreditResultSchema = z.object({
  charged: count,
  refunded: count,
  balance: z.int(),
})

export type CreditResult = z.infer<typeof CreditResultSchema>

export const GenerationResultSchema = z.object({
  request_id: z.string(),
  model: z.enum(MODEL_IDS),
  provider: z.enum(PROVIDERS),
  size: z.string(),
  quality: z.enum(QUALITIES),
  requested: positive,
  images: z.array(GeneratedImageSchema),
  credits: CreditResultSchema,
  expires_at: z.string(),
})

export type GenerationResult = z.infer<typeof GenerationResultSchema>

export const GenerateResponseSchema = okEnvelope(GenerationResultSchema)
