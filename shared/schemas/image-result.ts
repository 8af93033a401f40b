import { z } from 'zod'
import { MODEL_IDS, PROVIDERS, QUALITIES } from '../models'
import { okEnvelope } from './envelope'

export const ImageMimeTypeSchema = z.enum(['image/png', 'image/jpeg', 'image/webp'])
export type ImageMimeType = z.infer<typeof ImageMimeTypeSchema>

export const GeneratedImageSchema = z.object({
  id: z.string(),
  index: z.number().int().min(0),
  url: z.string().url(),
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  mime_type: ImageMimeTypeSchema,
  bytes: z.number().int().positive(),
  /** True when the offline preview renderer made it: a stand-in, not model output. */
  preview: z.boolean(),
})

export type GeneratedImage = z.infer<typeof GeneratedImageSchema>

export const CreditResultSchema = z.object({
  charged: z.number().int().min(0),
  refunded: z.number().int().min(0),
  balance: z.number().int(),
})

export type CreditResult = z.infer<typeof CreditResultSchema>

export const GenerationResultSchema = z.object({
  request_id: z.string(),
  model: z.enum(MODEL_IDS),
  provider: z.enum(PROVIDERS),
  size: z.string(),
  quality: z.enum(QUALITIES),
  requested: z.number().int().positive(),
  images: z.array(GeneratedImageSchema),
  credits: CreditResultSchema,
  expires_at: z.string(),
})

export type GenerationResult = z.infer<typeof GenerationResultSchema>

export const GenerateResponseSchema = okEnvelope(GenerationResultSchema)
