import { convertIndexedToRgb, decode as decodePng } from 'fast-png'
import jpeg from 'jpeg-js'
import { imageInfo } from '../../../shared'

export interface Pixels {
  width: number
  height: number
  /** 8-bit RGBA, row by row. */
  rgba: Uint8Array
}

function pngPixels(bytes: Uint8Array): Pixels {
  const png = decodePng(bytes)
  const { width, height } = png
  const rgba = new Uint8Array(width * height * 4)
  if (png.palette) {
    const rgb = convertIndexedToRgb(png)
    const channels = rgb.length / (width * height)
    for (let i = 0; i < width * height; i++) {
      rgba.set(rgb.subarray(i * channels, i * channels + 3), i * 4)
      rgba[i * 4 + 3] = channels === 4 ? rgb[i * channels + 3] : 255
    }
    return { width, height, rgba }
  }
  const shift = png.depth === 16 ? 8 : 0
  const { channels, data } = png
  for (let i = 0; i < width * height; i++) {
    const at = i * channels
    const grey = channels < 3
    const value = (offset: number) => data[at + offset] >> shift
    rgba[i * 4] = value(0)
    rgba[i * 4 + 1] = grey ? value(0) : value(1)
    rgba[i * 4 + 2] = grey ? value(0) : value(2)
    rgba[i * 4 + 3] = channels === 2 ? value(1) : channels === 4 ? value(3) : 255
  }
  return { width, height, rgba }
}

/** Decodes a PNG or JPEG into RGBA pixels; null for WebP, which the worker does not decode. */
export function decodePixels(bytes: Uint8Array): Pixels | null {
  const info = imageInfo(bytes)
  if (info?.mimeType === 'image/png') return pngPixels(bytes)
  if (info?.mimeType === 'image/jpeg') {
    const decoded = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true })
    return { width: decoded.width, height: decoded.height, rgba: decoded.data }
  }
  return null
}
