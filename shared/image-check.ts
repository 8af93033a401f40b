import { type ImageInfo, imageInfo } from './image-info'

/**
 * What a reference or mask may be: beyond this, decoding costs more than any model uses (models
 * scale their inputs down to about 1536 px anyway).
 */
export const IMAGE_LIMITS = { maxSide: 8192, maxPixels: 40_000_000 } as const

const CRC_TABLE = (() => {
  const table = new Uint32Array(256)
  for (let n = 0; n < 256; n++) {
    let c = n
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
    table[n] = c >>> 0
  }
  return table
})()

function crc32(bytes: Uint8Array): number {
  let crc = 0xffffffff
  for (let i = 0; i < bytes.length; i++) crc = CRC_TABLE[(crc ^ bytes[i]) & 0xff] ^ (crc >>> 8)
  return (crc ^ 0xffffffff) >>> 0
}

const u32 = (bytes: Uint8Array, at: number) =>
  ((bytes[at] << 24) >>> 0) + (bytes[at + 1] << 16) + (bytes[at + 2] << 8) + bytes[at + 3]
const u16 = (bytes: Uint8Array, at: number) => (bytes[at] << 8) | bytes[at + 1]
const le32 = (bytes: Uint8Array, at: number) =>
  (bytes[at] | (bytes[at + 1] << 8) | (bytes[at + 2] << 16) | (bytes[at + 3] << 24)) >>> 0
const text = (bytes: Uint8Array, at: number, length: number) =>
  String.fromCharCode(...bytes.subarray(at, at + length))

const PNG_DEPTHS: Record<number, number[]> = {
  0: [1, 2, 4, 8, 16],
  2: [8, 16],
  3: [1, 2, 4, 8],
  4: [8, 16],
  6: [8, 16],
}

/** A PNG is its chunks, each with a length, a type and a checksum: IHDR first, IDAT, IEND last. */
function pngIsWhole(bytes: Uint8Array): boolean {
  let at = 8
  let index = 0
  let sawData = false
  while (at + 12 <= bytes.length) {
    const length = u32(bytes, at)
    const type = text(bytes, at + 4, 4)
    if (length > bytes.length - at - 12) return false
    const body = bytes.subarray(at + 4, at + 8 + length)
    if (crc32(body) !== u32(bytes, at + 8 + length)) return false
    if (index === 0) {
      if (type !== 'IHDR' || length !== 13) return false
      const [depth, colour, compression, filter, interlace] = bytes.subarray(at + 16, at + 21)
      if (!PNG_DEPTHS[colour]?.includes(depth)) return false
      if (compression !== 0 || filter !== 0 || interlace > 1) return false
    }
    if (type === 'IDAT') sawData = true
    at += 12 + length
    index++
    if (type === 'IEND') return sawData && length === 0 && at === bytes.length
  }
  return false
}

/** A JPEG's segments lead to a frame header and the scan, and it ends with its end marker. */
function jpegIsWhole(bytes: Uint8Array): boolean {
  let at = 2
  let sawFrame = false
  while (at + 4 <= bytes.length) {
    if (bytes[at] !== 0xff) return false
    const marker = bytes[at + 1]
    if (marker === 0xff) {
      at++
      continue
    }
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      at += 2
      continue
    }
    const length = u16(bytes, at + 2)
    if (length < 2 || at + 2 + length > bytes.length) return false
    if (marker >= 0xc0 && marker <= 0xcf && ![0xc4, 0xc8, 0xcc].includes(marker)) sawFrame = true
    if (marker === 0xda) {
      // The compressed scan runs to the end marker.
      return sawFrame && bytes[bytes.length - 2] === 0xff && bytes[bytes.length - 1] === 0xd9
    }
    at += 2 + length
  }
  return false
}

/** A WebP is one RIFF container as long as it says, holding a VP8, VP8L or VP8X image chunk. */
function webpIsWhole(bytes: Uint8Array): boolean {
  const riffLength = le32(bytes, 4)
  if (riffLength + 8 !== bytes.length && riffLength + 9 !== bytes.length) return false
  const chunk = text(bytes, 12, 4)
  const chunkLength = le32(bytes, 16)
  if (chunkLength > bytes.length - 20) return false
  if (chunk === 'VP8 ') return bytes[23] === 0x9d && bytes[24] === 0x01 && bytes[25] === 0x2a
  if (chunk === 'VP8L') return bytes[20] === 0x2f
  return chunk === 'VP8X'
}

export type ImageProblem =
  | { kind: 'not_an_image' }
  | { kind: 'damaged'; info: ImageInfo }
  | { kind: 'too_many_pixels'; info: ImageInfo }

/**
 * Checks an image by its real structure, not only its first bytes: a PNG's chunks and checksums,
 * a JPEG's segments and scan, a WebP's container; and its size against IMAGE_LIMITS. A small file
 * that declares a huge image, or a header followed by anything else, is refused before it costs
 * anyone anything.
 */
export function imageProblem(bytes: Uint8Array): ImageProblem | null {
  const info = imageInfo(bytes)
  if (!info || info.width < 1 || info.height < 1) return { kind: 'not_an_image' }
  if (
    Math.max(info.width, info.height) > IMAGE_LIMITS.maxSide ||
    info.width * info.height > IMAGE_LIMITS.maxPixels
  )
    return { kind: 'too_many_pixels', info }
  const whole =
    info.mimeType === 'image/png'
      ? pngIsWhole(bytes)
      : info.mimeType === 'image/jpeg'
        ? jpegIsWhole(bytes)
        : webpIsWhole(bytes)
  return whole ? null : { kind: 'damaged', info }
}

/** The problem in words for the designer: what is wrong with which image, and the limit. */
export function describeImageProblem(problem: ImageProblem, what: string): string {
  if (problem.kind === 'not_an_image') return `${what} is not a PNG, JPEG or WebP image.`
  const format = problem.info.mimeType.split('/')[1].toUpperCase()
  if (problem.kind === 'damaged')
    return `${what} is not a complete ${format} image: it is damaged, or something else with an image's first bytes. Export it again.`
  return `${what} is ${problem.info.width}×${problem.info.height} pixels: the largest accepted is ${IMAGE_LIMITS.maxSide} px a side and ${IMAGE_LIMITS.maxPixels / 1_000_000} megapixels. Scale it down.`
}
