import { deflateSync } from 'node:zlib'
import jpeg from 'jpeg-js'
import type { FakeSceneNode, Rasterize } from './fake-nodes'

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
  return c >>> 0
})

function crc32(bytes: Uint8Array): number {
  let crc = 0xffffffff
  for (const byte of bytes) crc = CRC_TABLE[(crc ^ byte) & 0xff] ^ (crc >>> 8)
  return (crc ^ 0xffffffff) >>> 0
}

function chunk(type: string, data: Uint8Array): Buffer {
  const out = Buffer.alloc(12 + data.length)
  out.writeUInt32BE(data.length, 0)
  out.write(type, 4, 'ascii')
  Buffer.from(data).copy(out, 8)
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length)
  return out
}

export function encodeRgbaPng(width: number, height: number, rgba: Uint8Array): Uint8Array {
  const rows = Buffer.alloc((width * 4 + 1) * height)
  for (let y = 0; y < height; y++)
    Buffer.from(rgba.subarray(y * width * 4, (y + 1) * width * 4)).copy(
      rows,
      y * (width * 4 + 1) + 1,
    )
  const header = Buffer.alloc(13)
  header.writeUInt32BE(width, 0)
  header.writeUInt32BE(height, 4)
  header[8] = 8
  header[9] = 6
  return new Uint8Array(
    Buffer.concat([
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
      chunk('IHDR', header),
      chunk('IDAT', deflateSync(rows)),
      chunk('IEND', new Uint8Array()),
    ]),
  )
}

function fillColour(node: FakeSceneNode): [number, number, number] {
  const fills = (node as { fills?: readonly Paint[] }).fills
  const solid = fills?.find((paint): paint is SolidPaint => paint.type === 'SOLID')
  return solid ? [solid.color.r * 255, solid.color.g * 255, solid.color.b * 255] : [128, 128, 128]
}

/** A Node stand-in for Figma's renderer: a real PNG or JPEG of the requested size in the layer's colour. */
export const nodeRasterize: Rasterize = async (node, width, height, format) => {
  const [r, g, b] = fillColour(node)
  const rgba = new Uint8Array(width * height * 4)
  for (let i = 0; i < rgba.length; i += 4) rgba.set([r, g, b, 255], i)
  if (format === 'PNG') return encodeRgbaPng(width, height, rgba)
  return new Uint8Array(jpeg.encode({ data: rgba, width, height }, 80).data)
}
