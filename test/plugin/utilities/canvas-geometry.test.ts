import { describe, expect, it } from 'vitest'
import { besideRects } from '../../../plugin/utilities/beside-layout'
import { alphaBounds, editRegion } from '../../../plugin/utilities/edit-region'
import { expandedCanvas, withinShapeLimits } from '../../../plugin/utilities/expand-canvas'
import type { Rect } from '../../../plugin/utilities/layout-variations'

const overlaps = (a: Rect, b: Rect) =>
  a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height

describe('the area to change', () => {
  it('is the bounding box of every pixel the shapes cover', () => {
    const covered = (x: number, y: number) => (x >= 10 && x < 20 && y >= 5 && y < 8 ? 255 : 0)
    expect(alphaBounds(covered, { width: 40, height: 30 })).toEqual({
      x: 10,
      y: 5,
      width: 10,
      height: 3,
    })
    expect(alphaBounds(() => 0, { width: 4, height: 4 })).toBeNull()
  })

  it('is sent with context around it, inside the image, no wider than 3:1', () => {
    const image = { width: 4000, height: 3000 }
    const region = editRegion({ x: 2600, y: 400, width: 500, height: 400 }, image)
    expect(region.x).toBeLessThanOrEqual(2600 - 250)
    expect(region.x + region.width).toBeGreaterThanOrEqual(3100 + 250)
    expect(region.width).toBeLessThan(image.width)
    const thin = editRegion({ x: 0, y: 1500, width: 4000, height: 10 }, image)
    expect(thin.width / thin.height).toBeLessThanOrEqual(3)
    for (const r of [region, thin]) {
      expect(r.x).toBeGreaterThanOrEqual(0)
      expect(r.y).toBeGreaterThanOrEqual(0)
      expect(r.x + r.width).toBeLessThanOrEqual(image.width)
      expect(r.y + r.height).toBeLessThanOrEqual(image.height)
    }
  })

  it('covers the whole of a small image', () => {
    expect(
      editRegion({ x: 100, y: 100, width: 300, height: 200 }, { width: 500, height: 400 }),
    ).toEqual({
      x: 0,
      y: 0,
      width: 500,
      height: 400,
    })
  })
})

describe('the expanded canvas', () => {
  it('adds only to the sides the ratio needs, the original against its edge or centred', () => {
    const photo = { width: 800, height: 600 }
    expect(expandedCanvas(photo, { ratio: '16:9' }, 'center')).toEqual({
      width: 1067,
      height: 600,
      x: 134,
      y: 0,
    })
    expect(expandedCanvas(photo, { ratio: '16:9' }, 'left')).toEqual({
      width: 1067,
      height: 600,
      x: 0,
      y: 0,
    })
    expect(expandedCanvas(photo, { ratio: '16:9' }, 'right')).toEqual({
      width: 1067,
      height: 600,
      x: 267,
      y: 0,
    })
    expect(expandedCanvas(photo, { ratio: '1:1' }, 'top')).toEqual({
      width: 800,
      height: 800,
      x: 0,
      y: 0,
    })
    expect(expandedCanvas(photo, { ratio: '4:3' }, 'center')).toBeNull()
  })

  it('adds a margin all around', () => {
    expect(expandedCanvas({ width: 800, height: 600 }, { margin: 0.25 }, 'center')).toEqual({
      width: 1200,
      height: 900,
      x: 200,
      y: 150,
    })
  })

  it('knows the shapes a request can have', () => {
    expect(withinShapeLimits({ width: 3000, height: 1000 })).toBe(true)
    expect(withinShapeLimits({ width: 3100, height: 1000 })).toBe(false)
  })
})

describe('results beside their sources', () => {
  it('line up to the right of each source, top edges aligned, covering nothing', () => {
    const hero = { x: 0, y: 0, width: 1440, height: 900 }
    const phone = { x: 1600, y: 0, width: 390, height: 844 }
    const [heroResults, phoneResults] = besideRects(
      [
        { source: hero, sizes: [hero, hero] },
        { source: phone, sizes: [phone] },
      ],
      [hero, phone],
    )
    const all = [hero, phone, ...heroResults, ...phoneResults]
    for (const a of all) for (const b of all) if (a !== b) expect(overlaps(a, b)).toBe(false)
    expect(heroResults.map((rect) => rect.y)).toEqual([0, 0])
    expect(heroResults[0].x).toBeGreaterThanOrEqual(hero.x + hero.width)
    expect(heroResults[1].x).toBeGreaterThan(heroResults[0].x)
    expect(phoneResults[0]).toMatchObject({ y: 0, width: 390, height: 844 })
    expect(phoneResults[0].x).toBeGreaterThanOrEqual(phone.x + phone.width)
  })
})
