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

export const JOB_STATES = ['running', 'done', 'failed', 'stopped'] as const

/**
 * A generation as its owner sees it later: `GET /v1/generations/:request_id`. A job the upstream
 * had accepted runs to its end even when its client left; its images are then only here.
 */
export const GenerationJobSchema = z.object({
  request_id: z.string(),
  state: z.enum(JOB_STATES),
  created_at: z.string(),
  updated_at: z.string(),
  model: z.enum(MODEL_IDS),
  provider: z.enum(PROVIDERS),
  size: z.string(),
  quality: z.enum(QUALITIES),
  requested: positive,
  images: z.array(GeneratedImageSchema),
  /** Known once the job has settled. */
  credits: z.nullable(z.object({ charged: count, refunded: count })),
  error: z.nullable(z.string()),
  /** Whether the upstream had the job (and billed for it): from then on it runs to its end. */
  accepted: z.boolean(),
  /** Whether the client had left before the job finished. */
  client_left: z.boolean(),
})

export type GenerationJob = z.infer<typeof GenerationJobSchema>

export const GenerationJobResponseSchema = okEnvelope(GenerationJobSchema)
