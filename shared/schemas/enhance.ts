import * as z from 'zod/mini'
import { okEnvelope } from './envelope'
import { objectError, PromptSchema } from './image-request'

export const EnhanceRequestSchema = z.strictObject({ prompt: PromptSchema }, { error: objectError })

export const BRIEF_FIELDS = [
  'subject',
  'setting',
  'composition',
  'lighting',
  'camera',
  'style',
  'mood',
] as const

export type BriefField = (typeof BRIEF_FIELDS)[number]

export const BriefSchema = z.object({
  subject: z.string(),
  setting: z.string(),
  composition: z.string(),
  lighting: z.string(),
  camera: z.string(),
  style: z.string(),
  mood: z.string(),
  /** On-image text, exactly as the designer quoted it. */
  text: z.array(z.string()),
})

export type Brief = z.infer<typeof BriefSchema>

export const EnhanceResultSchema = z.object({
  prompt: z.string(),
  brief: BriefSchema,
  source: z.enum(['model', 'rules']),
})

export const EnhanceResponseSchema = okEnvelope(EnhanceResultSchema)
