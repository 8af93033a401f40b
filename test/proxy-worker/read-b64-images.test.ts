import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { ApiError } from '../../proxy-worker/src/http/api-error'
import { readB64ImageParts } from '../../proxy-worker/src/providers/read-b64-images'
import { encodeBase64 } from '../../shared'

/** `text` as a stream cut into pieces of the given sizes, cycling through them. */
function streamOf(text: string, sizes: number[]): ReadableStream<Uint8Array> {
  const bytes = new TextEncoder().encode(text)
  return new ReadableStream({
    start(controller) {
      for (let at = 0, turn = 0; at < bytes.length; turn++) {
        const size = sizes[turn % sizes.length]
        controller.enqueue(bytes.slice(at, at + size))
        at += size
      }
      controller.close()
    },
  })
}

async function imagesIn(text: string, sizes: number[] = [text.length]) {
  const images: Uint8Array[] = []
  const found = await readB64ImageParts(streamOf(text, sizes), () => {
    const pieces: number[] = []
    return {
      write: (bytes) => {
        pieces.push(...bytes)
      },
      close: () => {
        images.push(new Uint8Array(pieces))
      },
    }
  })
  return { found, images }
}

const bytesOf = (...values: number[]) => new Uint8Array(values)

describe('reading b64_json images as the answer streams in', () => {
  it('finds every image, whatever the pieces the answer arrives in', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.uint8Array({ minLength: 0, maxLength: 40 }), { minLength: 1, maxLength: 4 }),
        fc.array(fc.integer({ min: 1, max: 23 }), { minLength: 1, maxLength: 5 }),
        async (originals, sizes) => {
          const answer = JSON.stringify({
            created: 1,
            data: originals.map((bytes) => ({
              b64_json: encodeBase64(bytes),
              revised_prompt: 'a "b64_json": "AAAA" in the prompt',
            })),
            usage: { total_tokens: 5 },
          })
          const { found, images } = await imagesIn(answer, sizes)
          expect(found).toBe(originals.length)
          expect(images).toEqual(originals)
        },
      ),
    )
  })

  it('reads the forms JSON allows: spaces around the colon and escaped slashes', async () => {
    const bytes = bytesOf(0xfb, 0xff, 0xbf, 0x00, 0x3f)
    const b64 = encodeBase64(bytes)
    expect(b64).toContain('/')
    const escaped = b64.replaceAll('/', '\\/')
    const { images } = await imagesIn(`{"data":[{ "b64_json" :\n "${escaped}" }]}`, [1])
    expect(images).toEqual([bytes])
  })

  it('takes no image from a null value or from text that only mentions the key', async () => {
    const answer = JSON.stringify({
      data: [{ b64_json: null, revised_prompt: '"b64_json":"AAAA"' }],
      note: 'b64_json',
    })
    expect(await imagesIn(answer, [3])).toEqual({ found: 0, images: [] })
  })

  it('counts only whole images when the answer is cut off', async () => {
    const answer = JSON.stringify({ data: [{ b64_json: 'AAEC' }, { b64_json: 'AwQF' }] })
    const { found, images } = await imagesIn(answer.slice(0, answer.indexOf('AwQF') + 2))
    expect(found).toBe(1)
    expect(images).toEqual([bytesOf(0, 1, 2)])
  })

  it('calls a value that is not base64 a malformed answer', async () => {
    const failure = await imagesIn('{"data":[{"b64_json":"not base64!"}]}').catch((error) => error)
    expect(failure).toBeInstanceOf(ApiError)
    expect(failure.type).toBe('upstream_malformed')
  })
})
