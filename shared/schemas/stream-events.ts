import * as z from 'zod/mini'
import { ErrorBodySchema } from '../errors'
import { PROVIDERS } from '../models'
import { CreditResultSchema, GeneratedImageSchema, GenerationResultSchema } from './image-result'

export const STAGES = ['accepted', 'generating', 'storing'] as const

const count = z.int().check(z.gte(0))

/**
 * The server-sent events of a streamed generation, in order: `stage`s, `partial` previews where
 * the upstream gives them, one `image` per delivered image, `credits`, then `done` or `error`.
 * Each is sent as `event: <type>` with the JSON below as `data:`; `: keep-alive` comments
 * arrive between them so no proxy closes a long generation for being idle.
 */
export const StreamEventSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('stage'),
    stage: z.enum(STAGES),
    message: z.string(),
    elapsed_ms: count,
  }),
  z.object({
    type: z.literal('partial'),
    index: count,
    partial_index: count,
    mime_type: z.string(),
    b64_json: z.string(),
  }),
  z.object({
    type: z.literal('image'),
    request_id: z.string(),
    provider: z.enum(PROVIDERS),
    image: GeneratedImageSchema,
  }),
  z.object({ type: z.literal('credits'), credits: CreditResultSchema }),
  z.object({ type: z.literal('done'), result: GenerationResultSchema }),
  z.object({ type: z.literal('error'), error: ErrorBodySchema }),
])

export type StreamEvent = z.infer<typeof StreamEventSchema>
export type StreamEventType = StreamEvent['type']
