import {
  type CatalogModel,
  FLEXIBLE_SIZE_LIMITS,
  isAspectRatio,
  parsePixelSize,
  ratioOf,
} from '../../shared'

/** 1080 divides by 2, 3, 4, 5 and 9, so every listed ratio gets whole-pixel frames (16:9 → 1920×1080). */
export const FRAME_SHORT_SIDE = 1080

/** The frame a result goes into: exactly the chosen aspect ratio, or the exact size asked for. */
export function frameSizeFor(size: string): { width: number; height: number } {
  const explicit = parsePixelSize(size)
  if (explicit) return explicit
  const ratio = isAspectRatio(size) ? ratioOf(size) : { width: 1, height: 1 }
  return ratio.width >= ratio.height
    ? { width: (FRAME_SHORT_SIDE * ratio.width) / ratio.height, height: FRAME_SHORT_SIDE }
    : { width: FRAME_SHORT_SIDE, height: (FRAME_SHORT_SIDE * ratio.height) / ratio.width }
}

function roundTo16(value: number) {
  return Math.max(16, Math.round(value / 16) * 16)
}

/**
 * The size to ask for so a result fits an existing layer: the layer's own shape for models that take
 * any size (clamped to 1:3..3:1), else the closest listed ratio, which the image fill then crops.
 */
export function sizeForLayer(width: number, height: number, model: CatalogModel): string {
  const { maxRatio, maxEdge } = FLEXIBLE_SIZE_LIMITS
  const ratio = Math.min(maxRatio, Math.max(1 / maxRatio, width / Math.max(height, 1)))
  if (model.sizing === 'flexible') {
    const short = 1024
    const size =
      ratio >= 1
        ? { w: roundTo16(short * ratio), h: short }
        : { w: short, h: roundTo16(short / ratio) }
    return `${Math.min(size.w, maxEdge)}x${Math.min(size.h, maxEdge)}`
  }
  const closest = model.aspect_ratios.reduce((best, entry) =>
    Math.abs(Math.log(entry.width / entry.height / ratio)) <
    Math.abs(Math.log(best.width / best.height / ratio))
      ? entry
      : best,
  )
  return closest.ratio
}
