import { createMiddleware } from 'hono/factory'
import type { AppEnv } from '../env'
import { ApiError } from './api-error'
import { bodyKind } from './read-body'

const inWords = (maxBytes: number) =>
  maxBytes >= 1024 * 1024
    ? `${Math.round(maxBytes / (1024 * 1024))} MB`
    : `${Math.round(maxBytes / 1024)} KB`

/** A body this much over its limit is read to its end before the 413; a larger one is cut off. */
const DRAIN_BYTES = 8 * 1024 * 1024

/**
 * Reads what is left of a refused body and throws it away, so the connection ends cleanly and the
 * answer is not sent over unread bytes; a sender that goes on past DRAIN_BYTES is cut off.
 */
async function drain(reader: ReadableStreamDefaultReader<Uint8Array>, limit = DRAIN_BYTES) {
  let drained = 0
  for (;;) {
    const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }))
    if (done) return
    drained += value?.length ?? 0
    if (drained > limit) {
      await reader.cancel().catch(() => {})
      return
    }
  }
}

/**
 * Reads and drops what is left of a body refused part way through (at most `limit` bytes, then
 * it is cancelled), for the reason drain gives.
 */
export async function discardRest(body: ReadableStream<Uint8Array> | null, limit: number) {
  if (!body || body.locked) return
  await drain(body.getReader(), limit)
}

/**
 * A body that passes its bytes on as they come and fails with `tooLarge` once past `maxBytes`,
 * after reading and dropping the rest (see drain), so a reader that goes part by part is stopped
 * there without the body ever being held.
 */
function countedBody(
  body: ReadableStream<Uint8Array>,
  maxBytes: number,
  tooLarge: () => ApiError,
): ReadableStream<Uint8Array> {
  const reader = body.getReader()
  let total = 0
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const { value, done } = await reader.read()
      if (done) return controller.close()
      total += value.length
      if (total <= maxBytes) return controller.enqueue(value)
      await drain(reader)
      controller.error(tooLarge())
    },
    cancel: (reason) => reader.cancel(reason),
  })
}

/**
 * Refuses a body over `maxBytes` with 413, and never leaves one half read. A declared length is
 * checked without reading anything; a body without one is read up to the limit, and past it the
 * rest is read and dropped (up to 8 MB more; beyond that the stream is cancelled) before the
 * answer goes out, so the connection is not left with unread bytes (which once brought the local
 * dev server down). A `streamed` body (multipart, read part by part) is counted as it is read
 * instead of being read whole first.
 */
export function limitBody(
  maxBytes: number,
  advice = 'Send fewer or smaller reference images.',
  streamed = false,
) {
  const tooLarge = () =>
    new ApiError('payload_too_large', `The request is larger than ${inWords(maxBytes)}. ${advice}`)
  return createMiddleware<AppEnv>(async (c, next) => {
    const body = c.req.raw.body
    if (!body) return next()
    const declared = c.req.header('Content-Length')
    if (declared !== undefined) {
      if (!(Number(declared) <= maxBytes)) {
        await body.cancel().catch(() => {})
        throw tooLarge()
      }
      return next()
    }
    if (streamed) {
      c.req.raw = new Request(c.req.raw, {
        body: countedBody(body, maxBytes, tooLarge),
        signal: c.req.raw.signal,
      })
      return next()
    }
    const reader = body.getReader()
    const chunks: Uint8Array[] = []
    let total = 0
    for (;;) {
      const { value, done } = await reader.read()
      if (done) break
      total += value.length
      if (total > maxBytes) {
        await drain(reader)
        throw tooLarge()
      }
      chunks.push(value)
    }
    const bytes = new Uint8Array(total)
    let at = 0
    for (const chunk of chunks) {
      bytes.set(chunk, at)
      at += chunk.length
    }
    // The client's abort signal, named: whether workerd carries an incoming request's signal to a
    // copy depends on a compatibility flag (request_signal_passthrough), and a client leaving
    // must be noticed either way.
    c.req.raw = new Request(c.req.raw, { body: bytes, signal: c.req.raw.signal })
    await next()
  })
}

/** Edits: multipart files, read part by part, may be larger than JSON, which is parsed whole. */
export function limitEditBody(formBytes: number, jsonBytes: number) {
  const form = limitBody(formBytes, undefined, true)
  const json = limitBody(
    jsonBytes,
    'JSON with data: URLs is kept small: send the references as multipart/form-data file parts instead.',
  )
  return createMiddleware<AppEnv>((c, next) => (bodyKind(c) === 'json' ? json : form)(c, next))
}
