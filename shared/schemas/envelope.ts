import { z } from 'zod'

/** Every successful JSON answer: `{ code: 0, message: "ok", data }`. */
export function okEnvelope<T extends z.ZodType>(data: T) {
  return z.object({ code: z.literal(0), message: z.literal('ok'), data })
}
