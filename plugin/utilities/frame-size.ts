import {
  type CatalogModel,
  flexibleSizeForShape,
  formatPixelSize,
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

/**
 * The size to ask for so a result fits an existing layer: the layer's own shape for models that take
 * any size (clamped to 1:3..3:1), else the listed ratio whose size is closest, which the fill crops.
 */
export function sizeForLayer(width: number, height: number, model: CatalogModel): string {
  if (model.sizing === 'flexible') return formatPixelSize(flexibleSizeForShape(width, height))
  const ratio = width / Math.max(height, 1)
  const distance = (entry: { width: number; height: number }) =>
    Math.abs(Math.log(entry.width / entry.height / ratio))
  return model.aspect_ratios.reduce((best, entry) =>
    distance(entry) < distance(best) ? entry : best,
  ).ratio
}
