import { encode } from 'fast-png'
import type { Pixels } from '../../images/decode-pixels'
import { GLYPH_HEIGHT, GLYPH_WIDTH, glyphRows } from './bitmap-font'
import { hashText, previewPalette, type Rgb } from './preview-palette'

export interface PreviewSpec {
  prompt: string
  width: number
  height: number
  seed: number
  index: number
  transparent: boolean
  withText: boolean
  /**
   * A masked edit: the reference's pixels are kept wherever the mask is opaque, and the stand-in
   * shows only where it is transparent, as a model edits only the masked area.
   */
  edit?: { reference: Pixels; mask: Pixels }
}

class Canvas {
  readonly pixels: Uint8Array
  constructor(
    readonly width: number,
    readonly height: number,
  ) {
    this.pixels = new Uint8Array(width * height * 4)
  }

  blend(x: number, y: number, [r, g, b]: Rgb, alpha: number) {
    if (x < 0 || y < 0 || x >= this.width || y >= this.height) return
    const at = (y * this.width + x) * 4
    const p = this.pixels
    const under = p[at + 3] / 255
    const out = alpha + under * (1 - alpha)
    if (out === 0) return
    p[at] = Math.round((r * alpha + p[at] * under * (1 - alpha)) / out)
    p[at + 1] = Math.round((g * alpha + p[at + 1] * under * (1 - alpha)) / out)
    p[at + 2] = Math.round((b * alpha + p[at + 2] * under * (1 - alpha)) / out)
    p[at + 3] = Math.round(out * 255)
  }

  fillRect(x0: number, y0: number, w: number, h: number, colour: Rgb, alpha: number) {
    for (let y = Math.max(0, y0); y < Math.min(this.height, y0 + h); y++) {
      for (let x = Math.max(0, x0); x < Math.min(this.width, x0 + w); x++)
        this.blend(x, y, colour, alpha)
    }
  }
}

function mulberry32(seed: number) {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

function paintGradient(canvas: Canvas, from: Rgb, to: Rgb) {
  const { width, height, pixels } = canvas
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const t = (x / width + y / height) / 2
      const at = (y * width + x) * 4
      pixels[at] = from[0] + (to[0] - from[0]) * t
      pixels[at + 1] = from[1] + (to[1] - from[1]) * t
      pixels[at + 2] = from[2] + (to[2] - from[2]) * t
      pixels[at + 3] = 255
    }
  }
}

function paintDiscs(canvas: Canvas, palette: Rgb[], random: () => number) {
  const count = 5 + Math.floor(random() * 5)
  const scale = Math.min(canvas.width, canvas.height)
  for (let i = 0; i < count; i++) {
    const colour = palette[(i % 3) + 1]
    const cx = random() * canvas.width
    const cy = random() * canvas.height
    const radius = scale * (0.08 + random() * 0.25)
    const alpha = 0.45 + random() * 0.4
    for (
      let y = Math.max(0, Math.floor(cy - radius));
      y < Math.min(canvas.height, cy + radius);
      y++
    ) {
      for (
        let x = Math.max(0, Math.floor(cx - radius));
        x < Math.min(canvas.width, cx + radius);
        x++
      ) {
        if ((x - cx) ** 2 + (y - cy) ** 2 <= radius * radius) canvas.blend(x, y, colour, alpha)
      }
    }
  }
}

function drawText(
  canvas: Canvas,
  text: string,
  left: number,
  top: number,
  scale: number,
  colour: Rgb,
) {
  let x = left
  for (const char of text) {
    const rows = glyphRows(char)
    for (let row = 0; row < GLYPH_HEIGHT; row++) {
      for (let col = 0; col < GLYPH_WIDTH; col++) {
        if (rows[row] & (1 << (GLYPH_WIDTH - 1 - col))) {
          canvas.fillRect(x + col * scale, top + row * scale, scale, scale, colour, 1)
        }
      }
    }
    x += (GLYPH_WIDTH + 1) * scale
  }
}

function wrapWords(words: string[], charsPerLine: number, maxLines: number): string[] {
  const lines: string[] = []
  let line = ''
  for (const word of words) {
    const next = line ? `${line} ${word}` : word
    if (next.length <= charsPerLine) {
      line = next
      continue
    }
    if (line) lines.push(line)
    line = word.slice(0, charsPerLine)
    if (lines.length === maxLines) break
  }
  if (line && lines.length < maxLines) lines.push(line)
  return lines
}

const INK: Rgb = [255, 255, 255]
const SHADOW: Rgb = [15, 15, 20]

function drawCaption(canvas: Canvas, prompt: string, size: string) {
  const { width, height } = canvas
  const bannerScale = Math.max(2, Math.round(Math.min(width, height) / 220))
  const banner = 'PREVIEW - NOT AI OUTPUT'
  const bannerHeight = (GLYPH_HEIGHT + 4) * bannerScale
  canvas.fillRect(0, 0, width, bannerHeight, SHADOW, 0.75)
  drawText(canvas, banner, 2 * bannerScale, 2 * bannerScale, bannerScale, INK)
  const sizeLeft = width - (size.length * (GLYPH_WIDTH + 1) + 1) * bannerScale
  drawText(canvas, size, sizeLeft, 2 * bannerScale, bannerScale, INK)

  const words = prompt.split(/\s+/).filter(Boolean)
  const charsPerLine = Math.max(8, Math.min(24, Math.floor(words.join(' ').length / 3) + 4))
  const scale = Math.max(1, Math.floor((width * 0.86) / (charsPerLine * (GLYPH_WIDTH + 1))))
  const lineHeight = (GLYPH_HEIGHT + 3) * scale
  const maxLines = Math.max(1, Math.floor((height - bannerHeight * 2) / lineHeight) - 1)
  const lines = wrapWords(words, charsPerLine, Math.min(6, maxLines))
  let top = Math.round((height - lines.length * lineHeight) / 2)
  for (const line of lines) {
    const left = Math.round((width - line.length * (GLYPH_WIDTH + 1) * scale) / 2)
    drawText(canvas, line, left + Math.ceil(scale / 2), top + Math.ceil(scale / 2), scale, SHADOW)
    drawText(canvas, line, left, top, scale, INK)
    top += lineHeight
  }
}

/** The offline stand-in for a model: the same prompt, size and seed always give the same picture. */
export function renderPreviewPixels(spec: PreviewSpec): Canvas {
  const canvas = new Canvas(spec.width, spec.height)
  const palette = previewPalette(spec.prompt)
  const random = mulberry32(
    hashText(`${spec.prompt}|${spec.width}x${spec.height}|${spec.seed}|${spec.index}`),
  )
  if (!spec.transparent) paintGradient(canvas, palette[0], palette[1])
  paintDiscs(canvas, palette, random)
  if (spec.withText) drawCaption(canvas, spec.prompt, `${spec.width}X${spec.height}`)
  return canvas
}

/** Nearest-neighbour resampling, for a reference or mask whose size differs from the output's. */
function resample(source: Pixels, width: number, height: number): Pixels {
  if (source.width === width && source.height === height) return source
  const rgba = new Uint8Array(width * height * 4)
  for (let y = 0; y < height; y++) {
    const sy = Math.min(source.height - 1, Math.floor((y * source.height) / height))
    for (let x = 0; x < width; x++) {
      const sx = Math.min(source.width - 1, Math.floor((x * source.width) / width))
      const from = (sy * source.width + sx) * 4
      rgba.set(source.rgba.subarray(from, from + 4), (y * width + x) * 4)
    }
  }
  return { width, height, rgba }
}

/** Where the mask is opaque the reference shows, exactly; where it is transparent, the stand-in. */
function keepUnmasked(canvas: Canvas, edit: NonNullable<PreviewSpec['edit']>) {
  const reference = resample(edit.reference, canvas.width, canvas.height)
  const mask = resample(edit.mask, canvas.width, canvas.height)
  const out = canvas.pixels
  for (let i = 0; i < out.length; i += 4) {
    const keep = mask.rgba[i + 3]
    if (keep === 0) continue
    if (keep === 255) {
      out.set(reference.rgba.subarray(i, i + 4), i)
      continue
    }
    const k = keep / 255
    for (let c = 0; c < 4; c++)
      out[i + c] = Math.round(reference.rgba[i + c] * k + out[i + c] * (1 - k))
  }
}

export async function renderPreviewPng(spec: PreviewSpec): Promise<Uint8Array> {
  const canvas = renderPreviewPixels(spec)
  if (spec.edit) keepUnmasked(canvas, spec.edit)
  const { width, height, pixels } = canvas
  let opaque = true
  for (let i = 3; i < pixels.length && opaque; i += 4) opaque = pixels[i] === 255
  if (!opaque) return encode({ width, height, data: pixels, channels: 4, depth: 8 })
  const rgb = new Uint8Array(width * height * 3)
  for (let i = 0, j = 0; i < pixels.length; i += 4, j += 3) {
    rgb[j] = pixels[i]
    rgb[j + 1] = pixels[i + 1]
    rgb[j + 2] = pixels[i + 2]
  }
  return encode({ width, height, data: rgb, channels: 3, depth: 8 })
}
