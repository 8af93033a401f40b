import { EventSourceParserStream } from 'eventsource-parser/stream'

export interface SseMessage {
  event: string
  data: string
}

/** One image's event carries it as base64: large, but bounded. */
const MAX_EVENT_BYTES = 64 * 1024 * 1024

/**
 * The server-sent events of a response body, framed by eventsource-parser. Leaving early cancels
 * the body, so the server knows its client has gone.
 */
export async function* readSse(body: ReadableStream<Uint8Array>): AsyncGenerator<SseMessage> {
  const decoder = new TextDecoderStream() as unknown as TransformStream<Uint8Array, string>
  const reader = body
    .pipeThrough(decoder)
    .pipeThrough(new EventSourceParserStream({ maxBufferSize: MAX_EVENT_BYTES }))
    .getReader()
  let finished = false
  try {
    for (;;) {
      const { value, done } = await reader.read()
      if (done) {
        finished = true
        return
      }
      yield { event: value.event ?? 'message', data: value.data }
    }
  } finally {
    if (!finished) await reader.cancel().catch(() => {})
  }
}
