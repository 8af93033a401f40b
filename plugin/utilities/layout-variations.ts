export interface Rect {
  x: number
  y: number
  width: number
  height: number
}

export interface Size {
  width: number
  height: number
}

export const LAYOUT_GAP = 40
/** Space left between the selection and the first result. */
export const SELECTION_MARGIN = 80

function overlaps(a: Rect, b: Rect, gap: number): boolean {
  return (
    a.x < b.x + b.width + gap &&
    b.x < a.x + a.width + gap &&
    a.y < b.y + b.height + gap &&
    b.y < a.y + a.height + gap
  )
}

/** Columns for n results: one row up to four, then a near-square grid. */
export function columnsFor(count: number): number {
  return count <= 4 ? count : Math.ceil(Math.sqrt(count))
}

/** Places sizes in a row or grid with its top-left at origin. */
export function gridRects(
  sizes: Size[],
  origin: { x: number; y: number },
  gap = LAYOUT_GAP,
  columnCount = columnsFor(sizes.length),
): Rect[] {
  const columns = Math.max(1, columnCount)
  const columnWidths: number[] = []
  const rowHeights: number[] = []
  sizes.forEach((size, i) => {
    const column = i % columns
    const row = Math.floor(i / columns)
    columnWidths[column] = Math.max(columnWidths[column] ?? 0, size.width)
    rowHeights[row] = Math.max(rowHeights[row] ?? 0, size.height)
  })
  const offset = (list: number[], index: number) =>
    list.slice(0, index).reduce((sum, value) => sum + value + gap, 0)
  return sizes.map((size, i) => ({
    x: origin.x + offset(columnWidths, i % columns),
    y: origin.y + offset(rowHeights, Math.floor(i / columns)),
    width: size.width,
    height: size.height,
  }))
}

export function boundsOf(rects: Rect[]): Rect {
  const left = Math.min(...rects.map((rect) => rect.x))
  const top = Math.min(...rects.map((rect) => rect.y))
  const right = Math.max(...rects.map((rect) => rect.x + rect.width))
  const bottom = Math.max(...rects.map((rect) => rect.y + rect.height))
  return { x: left, y: top, width: right - left, height: bottom - top }
}

/**
 * Lays results out beside the anchor and slides the whole block right until it covers no existing
 * layer, so nothing already on the canvas is ever hidden.
 */
export function layoutVariations(
  sizes: Size[],
  anchor: { x: number; y: number },
  obstacles: Rect[],
  gap = LAYOUT_GAP,
  columns = columnsFor(sizes.length),
): Rect[] {
  if (sizes.length === 0) return []
  let origin = { ...anchor }
  for (let attempt = 0; attempt <= obstacles.length; attempt++) {
    const rects = gridRects(sizes, origin, gap, columns)
    const block = boundsOf(rects)
    const blocking = obstacles.filter((obstacle) => overlaps(block, obstacle, gap))
    if (blocking.length === 0) return rects
    origin = {
      x: Math.max(...blocking.map((obstacle) => obstacle.x + obstacle.width)) + gap,
      y: origin.y,
    }
  }
  return gridRects(sizes, origin, gap, columns)
}

/** Where results start: right of the selection, or centred in the viewport when nothing is selected. */
export function layoutAnchor(
  selection: Rect | null,
  viewportCenter: { x: number; y: number },
  block: Size,
): { x: number; y: number } {
  if (selection) return { x: selection.x + selection.width + SELECTION_MARGIN, y: selection.y }
  return {
    x: Math.round(viewportCenter.x - block.width / 2),
    y: Math.round(viewportCenter.y - block.height / 2),
  }
}
