import * as z from 'zod/mini'

/** Every successful JSON answer: `{ code: 0, message: "ok", data }`. */
export function okEnvelope<T extends z.ZodMiniType>(data: T) {
  return z.object({ code: z.literal(0), message: z.literal('ok'), data })
}
