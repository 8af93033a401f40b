import { describe, expect, it } from 'vitest'
import { bytesSource, imagesJsonStream } from '../../proxy-worker/src/http/images-json-stream'
import { encodeBase64 } from '../../shared'

function randomBytes(length: number): Uint8Array {
  const bytes = new Uint8Array(length)
  for (let at = 0; at < length; at += 65536) crypto.getRandomValues(bytes.subarray(at, at + 65536))
  return bytes
}

const read = (stream: ReadableStream<Uint8Array>) => new Response(stream).json()

describe('an ImagesResponse written piece by piece', () => {
  it('is the same JSON as written whole, for images that span several slices', async () => {
    // 3 MB + 5 bytes crosses a slice boundary, and 1 byte leaves base64 padding.
    const images = [randomBytes(3 * 1024 * 1024 + 5), randomBytes(1), new Uint8Array()]
    const expected = images.map((bytes) => ({ b64_json: encodeBase64(bytes) }))
    const tail = { background: 'opaque', output_format: 'png', quality: 'low' }
    const body = await read(imagesJsonStream({ created: 7 }, images.map(bytesSource), tail))
    expect(body).toEqual({ created: 7, data: expected, ...tail })
  })

  it('encodes an image read in pieces of any length as its base64 whole', async () => {
    const bytes = randomBytes(100_003)
    const inPieces = async () =>
      new ReadableStream<Uint8Array>({
        start(controller) {
          for (let at = 0, size = 1; at < bytes.length; at += size, size = ((size * 7) % 4099) + 1)
            controller.enqueue(bytes.slice(at, at + size))
          controller.close()
        },
      })
    expect(await read(imagesJsonStream({}, [inPieces], {}))).toEqual({
      data: [{ b64_json: encodeBase64(bytes) }],
    })
  })

  it('stays valid JSON with nothing before or after the images', async () => {
    expect(await read(imagesJsonStream({}, [], {}))).toEqual({ data: [] })
    expect(await read(imagesJsonStream({}, [bytesSource(new Uint8Array([1, 2, 3]))], {}))).toEqual({
      data: [{ b64_json: 'AQID' }],
    })
  })

  it('tells whether its reader took it to the end or went before', async () => {
    const ends: boolean[] = []
    const images = [bytesSource(new Uint8Array([1, 2, 3]))]
    await read(imagesJsonStream({}, images, {}, (whole) => ends.push(whole)))
    const left = imagesJsonStream({}, images, {}, (whole) => ends.push(whole)).getReader()
    await left.read()
    await left.cancel()
    expect(ends).toEqual([true, false])
  })
})
