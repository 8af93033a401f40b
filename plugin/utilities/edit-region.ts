import type { PixelSize } from '../../shared'
import type { Rect, Size } from './layout-variations'
import { MAX_SHAPE_RATIO } from './request-size'

/** Context around the area to change, as a share of its longest side, so the model sees what is around it. */
const CONTEXT_SHARE = 0.5
const MIN_CONTEXT = 64

/** The bounding box of the pixels whose alpha is above 0, or null when there are none. */
export function alphaBounds(alpha: (x: number, y: number) => number, size: Size): Rect | null {
  let left = size.width
  let top = size.height
  let right = -1
  let bottom = -1
  for (let y = 0; y < size.height; y++) {
    for (let x = 0; x < size.width; x++) {
      if (alpha(x, y) === 0) continue
      if (x < left) left = x
      if (x > right) right = x
      if (y < top) top = y
      if (y > bottom) bottom = y
    }
  }
  return right < 0 ? null : { x: left, y: top, width: right - left + 1, height: bottom - top + 1 }
}

function clampSpan(start: number, length: number, limit: number): [number, number] {
  const span = Math.min(length, limit)
  return [Math.max(0, Math.min(start, limit - span)), span]
}

/** Grows a span around its centre to `length`, kept inside 0..limit. */
function grow(start: number, span: number, length: number, limit: number): [number, number] {
  return clampSpan(Math.round(start - (length - span) / 2), Math.round(length), limit)
}

/**
 * The part of an image sent for an edit: the area to change with context around it, in the
 * image's pixels, no wider or taller than a request may be. Only this region goes to the model at
 * the model's resolution, and only it is pasted back, so a large image keeps its full resolution
 * everywhere else.
 */
export function editRegion(area: Rect, image: Size): Rect {
  const context = Math.max(MIN_CONTEXT, CONTEXT_SHARE * Math.max(area.width, area.height))
  let [x, width] = grow(area.x, area.width, area.width + 2 * context, image.width)
  let [y, height] = grow(area.y, area.height, area.height + 2 * context, image.height)
  if (width > height * MAX_SHAPE_RATIO)
    [y, height] = grow(y, height, width / MAX_SHAPE_RATIO, image.height)
  if (height > width * MAX_SHAPE_RATIO)
    [x, width] = grow(x, width, height / MAX_SHAPE_RATIO, image.width)
  return { x, y, width, height }
}

/** Where a request's pixels land in the original: the scale from the request back to the region. */
export function regionScale(region: Rect, request: PixelSize) {
  return { x: region.width / request.width, y: region.height / request.height }
}
