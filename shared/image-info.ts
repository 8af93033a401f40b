import type { ImageMimeType } from './schemas/image-result'

export interface ImageInfo {
  mimeType: ImageMimeType
  width: number
  height: number
}

function readUint16BE(bytes: Uint8Array, at: number) {
  return (bytes[at] << 8) | bytes[at + 1]
}

function readUint32BE(bytes: Uint8Array, at: number) {
  return ((bytes[at] << 24) >>> 0) + (bytes[at + 1] << 16) + (bytes[at + 2] << 8) + bytes[at + 3]
}

function pngInfo(bytes: Uint8Array): ImageInfo | null {
  const signature = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]
  if (bytes.length < 24 || signature.some((value, i) => bytes[i] !== value)) return null
  return { mimeType: 'image/png', width: readUint32BE(bytes, 16), height: readUint32BE(bytes, 20) }
}

function jpegInfo(bytes: Uint8Array): ImageInfo | null {
  if (bytes.length < 4 || bytes[0] !== 0xff || bytes[1] !== 0xd8) return null
  let at = 2
  while (at + 9 < bytes.length) {
    if (bytes[at] !== 0xff) return null
    const marker = bytes[at + 1]
    const isStartOfFrame = marker >= 0xc0 && marker <= 0xcf && ![0xc4, 0xc8, 0xcc].includes(marker)
    if (isStartOfFrame) {
      return {
        mimeType: 'image/jpeg',
        height: readUint16BE(bytes, at + 5),
        width: readUint16BE(bytes, at + 7),
      }
    }
    at += 2 + readUint16BE(bytes, at + 2)
  }
  return null
}

function webpInfo(bytes: Uint8Array): ImageInfo | null {
  const text = (from: number, to: number) => String.fromCharCode(...bytes.subarray(from, to))
  if (bytes.length < 30 || text(0, 4) !== 'RIFF' || text(8, 12) !== 'WEBP') return null
  const chunk = text(12, 16)
  if (chunk === 'VP8X') {
    const width = 1 + (bytes[24] | (bytes[25] << 8) | (bytes[26] << 16))
    const height = 1 + (bytes[27] | (bytes[28] << 8) | (bytes[29] << 16))
    return { mimeType: 'image/webp', width, height }
  }
  if (chunk === 'VP8L') {
    const bits = bytes[21] | (bytes[22] << 8) | (bytes[23] << 16) | (bytes[24] << 24)
    return {
      mimeType: 'image/webp',
      width: (bits & 0x3fff) + 1,
      height: ((bits >> 14) & 0x3fff) + 1,
    }
  }
  if (chunk === 'VP8 ') {
    return {
      mimeType: 'image/webp',
      width: (bytes[26] | (bytes[27] << 8)) & 0x3fff,
      height: (bytes[28] | (bytes[29] << 8)) & 0x3fff,
    }
  }
  return null
}

/**
 * Whether a PNG carries transparency: an alpha channel (grey + alpha, or RGBA) or a tRNS chunk
 * before its image data.
 */
export function pngHasAlpha(bytes: Uint8Array): boolean {
  if (!pngInfo(bytes) || bytes.length < 26) return false
  const colourType = bytes[25]
  if (colourType === 4 || colourType === 6) return true
  const text = (at: number) => String.fromCharCode(...bytes.subarray(at, at + 4))
  for (let at = 8; at + 8 <= bytes.length; ) {
    const type = text(at + 4)
    if (type === 'tRNS') return true
    if (type === 'IDAT' || type === 'IEND') return false
    at += 12 + readUint32BE(bytes, at)
  }
  return false
}

/** Reads the real format and pixel size from an image's header, or null when it is not PNG, JPEG or WebP. */
export function imageInfo(bytes: Uint8Array): ImageInfo | null {
  return pngInfo(bytes) ?? jpegInfo(bytes) ?? webpInfo(bytes)
}
