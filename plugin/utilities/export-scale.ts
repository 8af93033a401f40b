import { REFERENCE_MAX_SIDE } from '../../shared/limits'

/** The largest upscale a small layer gets, so a tiny icon still gives the model something to see. */
const MAX_UPSCALE = 2

/** The export scale that brings a layer's longest side to at most `maxSide` pixels. */
export function referenceExportScale(
  width: number,
  height: number,
  maxSide = REFERENCE_MAX_SIDE,
): number {
  const longest = Math.max(width, height, 1)
  return Math.min(MAX_UPSCALE, maxSide / longest)
}

export function exportedSize(width: number, height: number, scale: number) {
  return { width: Math.round(width * scale), height: Math.round(height * scale) }
}
