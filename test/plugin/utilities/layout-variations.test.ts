import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  columnsFor,
  gridRects,
  layoutAnchor,
  layoutVariations,
  type Rect,
} from '../../../plugin/utilities/layout-variations'

const intersects = (a: Rect, b: Rect) =>
  a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height

describe('layoutVariations', () => {
  it('puts up to four results in one row and more in a grid', () => {
    expect(columnsFor(1)).toBe(1)
    expect(columnsFor(4)).toBe(4)
    expect(columnsFor(6)).toBe(3)
    expect(columnsFor(10)).toBe(4)
    const rects = gridRects(Array(4).fill({ width: 100, height: 50 }), { x: 0, y: 0 }, 10)
    expect(rects.map((rect) => [rect.x, rect.y])).toEqual([
      [0, 0],
      [110, 0],
      [220, 0],
      [330, 0],
    ])
  })

  it('slides the block right past existing layers', () => {
    const obstacle = { x: 150, y: 0, width: 300, height: 300 }
    const rects = layoutVariations([{ width: 100, height: 100 }], { x: 100, y: 50 }, [obstacle], 40)
    expect(rects[0].x).toBe(490)
    expect(intersects(rects[0], obstacle)).toBe(false)
  })

  it('never overlaps existing layers or other results, whatever the canvas', () => {
    const rect = fc.record({
      x: fc.integer({ min: -3000, max: 3000 }),
      y: fc.integer({ min: -3000, max: 3000 }),
      width: fc.integer({ min: 1, max: 2000 }),
      height: fc.integer({ min: 1, max: 2000 }),
    })
    fc.assert(
      fc.property(
        fc.array(rect, { maxLength: 25 }),
        fc.integer({ min: 1, max: 10 }),
        fc.record({
          width: fc.integer({ min: 16, max: 3840 }),
          height: fc.integer({ min: 16, max: 3840 }),
        }),
        fc.record({
          x: fc.integer({ min: -2000, max: 2000 }),
          y: fc.integer({ min: -2000, max: 2000 }),
        }),
        (obstacles, count, size, anchor) => {
          const placed = layoutVariations(Array(count).fill(size), anchor, obstacles)
          expect(placed).toHaveLength(count)
          for (const [i, a] of placed.entries()) {
            for (const obstacle of obstacles) expect(intersects(a, obstacle)).toBe(false)
            for (const b of placed.slice(i + 1)) expect(intersects(a, b)).toBe(false)
            expect(a).toMatchObject(size)
          }
        },
      ),
    )
  })

  it('starts right of the selection, or centred in the viewport', () => {
    expect(
      layoutAnchor(
        { x: 10, y: 20, width: 100, height: 100 },
        { x: 0, y: 0 },
        { width: 50, height: 50 },
      ),
    ).toEqual({ x: 190, y: 20 })
    expect(layoutAnchor(null, { x: 500, y: 300 }, { width: 200, height: 100 })).toEqual({
      x: 400,
      y: 250,
    })
  })
})
