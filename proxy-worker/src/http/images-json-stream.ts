import { encodeBase64 } from '../../../shared'

/** Where one image's bytes come from when its turn in the answer comes: storage, say. */
export type ImageSource = () => Promise<ReadableStream<Uint8Array>>

/** A source for bytes already in memory. */
export const bytesSource =
  (bytes: Uint8Array): ImageSource =>
  async () =>
    new Response(bytes).body ?? new ReadableStream({ start: (controller) => controller.close() })

/** Encodes a stream of bytes as base64 text, a chunk at a time, carrying what is not yet 3 bytes. */
async function* base64Of(stream: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  let carry = new Uint8Array(0)
  const reader = stream.getReader()
  for (;;) {
    const { value, done } = await reader.read()
    if (done) break
    const joined = carry.length > 0 ? concat(carry, value) : value
    const whole = joined.length - (joined.length % 3)
    if (whole > 0) yield encodeBase64(joined.subarray(0, whole))
    carry = joined.slice(whole)
  }
  if (carry.length > 0) yield encodeBase64(carry)
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const joined = new Uint8Array(a.length + b.length)
  joined.set(a)
  joined.set(b, a.length)
  return joined
}

/**
 * An `ImagesResponse` body written piece by piece: `head` first, then each image's base64 as its
 * bytes are read from their source, then `tail`'s fields. Built as one string, an answer of four
 * 15 MB images needs its 84 MB of text twice over (the string and its UTF-8 bytes), more than an
 * isolate may hold; read from storage, an image is never held whole either.
 */
export function imagesJsonStream(
  head: Record<string, unknown>,
  images: ImageSource[],
  tail: Record<string, unknown>,
  /**
   * Called once: with true when the reader has taken the answer to its end, with false when it
   * went before (or the answer broke off).
   */
  onEnd: (completed: boolean) => void = () => {},
): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder()
  const headText = JSON.stringify(head).slice(0, -1)
  const tailText = JSON.stringify(tail).slice(1)
  const pieces = async function* () {
    yield `${headText}${headText.length > 1 ? ',' : ''}"data":[`
    for (const [index, source] of images.entries()) {
      yield `${index > 0 ? ',' : ''}{"b64_json":"`
      yield* base64Of(await source())
      yield '"}'
    }
    yield `]${tailText.length > 1 ? ',' : ''}${tailText}`
  }
  const iterator = pieces()
  // Nothing is read ahead of the reader, so the end of the answer is the reader's, not a buffer's.
  return new ReadableStream(
    {
      async pull(controller) {
        const next = await iterator.next().catch((error) => {
          onEnd(false)
          throw error
        })
        if (!next.done) return controller.enqueue(encoder.encode(next.value))
        controller.close()
        onEnd(true)
      },
      async cancel() {
        await iterator.return(undefined)
        onEnd(false)
      },
    },
    { highWaterMark: 0 },
  )
}
