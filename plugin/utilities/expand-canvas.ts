import { type AspectRatio, ratioOf } from '../../shared'
import type { Size } from './layout-variations'
import { MAX_SHAPE_RATIO } from './request-size'

export const EXPAND_ANCHORS = ['center', 'left', 'right', 'top', 'bottom'] as const
export type ExpandAnchor = (typeof EXPAND_ANCHORS)[number]

export type ExpandTarget = { ratio: AspectRatio } | { margin: number }

/** The larger canvas and where the original sits in it, in the original's pixels. */
export interface ExpandedCanvas {
  width: number
  height: number
  x: number
  y: number
}

function place(extra: number, anchor: ExpandAnchor, start: ExpandAnchor, end: ExpandAnchor) {
  if (anchor === start) return 0
  if (anchor === end) return extra
  return Math.round(extra / 2)
}

/**
 * The canvas an expansion fills: the target ratio reached by adding only to the sides that need it,
 * or a margin added around (a share of each side, twice: before and after), with the original
 * against the chosen edge or centred. Null when the original already has that shape.
 */
export function expandedCanvas(
  original: Size,
  target: ExpandTarget,
  anchor: ExpandAnchor,
): ExpandedCanvas | null {
  let width = original.width
  let height = original.height
  if ('ratio' in target) {
    const { width: rw, height: rh } = ratioOf(target.ratio)
    const wanted = rw / rh
    const current = original.width / original.height
    if (Math.abs(wanted / current - 1) < 0.01) return null
    if (wanted > current) width = Math.round(original.height * wanted)
    else height = Math.round(original.width / wanted)
  } else {
    if (!(target.margin > 0)) return null
    width = Math.round(original.width * (1 + 2 * target.margin))
    height = Math.round(original.height * (1 + 2 * target.margin))
  }
  return {
    width,
    height,
    x: place(width - original.width, anchor, 'left', 'right'),
    y: place(height - original.height, anchor, 'top', 'bottom'),
  }
}

/** Whether a request can have this shape at all (gpt-image-2 takes 1:3 to 3:1). */
export function withinShapeLimits(size: Size): boolean {
  const ratio = size.width / size.height
  return ratio <= MAX_SHAPE_RATIO && ratio >= 1 / MAX_SHAPE_RATIO
}
