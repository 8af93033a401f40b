import { LAYOUT_GAP, layoutVariations, type Rect, type Size } from './layout-variations'

/**
 * Places each source's results in a row to its right, top edges aligned, sliding right past
 * anything in the way, so nothing already on the canvas (or placed just before) is covered.
 */
export function besideRects(
  groups: { source: Rect; sizes: Size[] }[],
  obstacles: Rect[],
  gap = LAYOUT_GAP,
): Rect[][] {
  const taken = [...obstacles]
  return groups.map(({ source, sizes }) => {
    const rects = layoutVariations(
      sizes,
      { x: source.x + source.width + gap, y: source.y },
      taken,
      gap,
      sizes.length,
    )
    taken.push(...rects)
    return rects
  })
}
