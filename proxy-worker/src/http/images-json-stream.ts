import { encodeBase64 } from '../../../shared'

/** Three bytes make four base64 characters, so slices of a multiple of 3 encode independently. */
const SLICE_BYTES = 3 * 1024 * 1024

/**
 * An `ImagesResponse` body written piece by piece: `head` first, then each image's base64 a slice
 * at a time, then `tail`'s fields. Built as one string, an answer of four 15 MB images needs its
 * 84 MB of text twice over (the string and its UTF-8 bytes), more than an isolate may hold; here
 * each image's bytes are let go once written.
 */
export function imagesJsonStream(
  head: Record<string, unknown>,
  images: Uint8Array[],
  tail: Record<string, unknown>,
): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder()
  const headText = JSON.stringify(head).slice(0, -1)
  const tailText = JSON.stringify(tail).slice(1)
  const pieces = function* () {
    yield `${headText}${headText.length > 1 ? ',' : ''}"data":[`
    for (let index = 0; index < images.length; index++) {
      yield `${index > 0 ? ',' : ''}{"b64_json":"`
      const bytes = images[index]
      for (let at = 0; at < bytes.length; at += SLICE_BYTES) {
        yield encodeBase64(bytes.subarray(at, at + SLICE_BYTES))
      }
      images[index] = new Uint8Array()
      yield '"}'
    }
    yield `]${tailText.length > 1 ? ',' : ''}${tailText}`
  }
  const iterator = pieces()
  return new ReadableStream({
    pull(controller) {
      const next = iterator.next()
      if (next.done) controller.close()
      else controller.enqueue(encoder.encode(next.value))
    },
  })
}
