import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  ASPECT_RATIOS,
  closestAspectRatio,
  closestFixedSize,
  FLEXIBLE_SIZE_LIMITS,
  flexibleSizeFor,
  flexibleSizeProblem,
  pixelSizeFor,
  ratioOf,
  sizeValueProblem,
} from '../../shared'

describe('pixel sizes per aspect ratio', () => {
  it('gives gpt-image-2 a valid size for every listed ratio, close to the ratio', () => {
    for (const ratio of ASPECT_RATIOS) {
      const size = flexibleSizeFor(ratio)
      expect(flexibleSizeProblem(size)).toBeNull()
      const { width, height } = ratioOf(ratio)
      expect(Math.abs(size.width / size.height - width / height) / (width / height)).toBeLessThan(
        0.01,
      )
      expect(Math.min(size.width, size.height)).toBe(1024)
    }
  })

  it('matches the published examples', () => {
    expect(flexibleSizeFor('1:1')).toEqual({ width: 1024, height: 1024 })
    expect(flexibleSizeFor('3:2')).toEqual({ width: 1536, height: 1024 })
    expect(flexibleSizeFor('2:3')).toEqual({ width: 1024, height: 1536 })
    expect(flexibleSizeFor('16:9')).toEqual({ width: 1824, height: 1024 })
  })

  it('gives fixed-size models the nearest of their three sizes', () => {
    expect(closestFixedSize(16, 9)).toEqual({ width: 1536, height: 1024 })
    expect(closestFixedSize(9, 16)).toEqual({ width: 1024, height: 1536 })
    expect(closestFixedSize(5, 4)).toEqual({ width: 1536, height: 1024 })
    expect(closestFixedSize(11, 10)).toEqual({ width: 1024, height: 1024 })
    expect(pixelSizeFor('gpt-image-1.5', '21:9')).toEqual({ width: 1536, height: 1024 })
    expect(pixelSizeFor('gpt-image-2', '1536x864')).toEqual({ width: 1536, height: 864 })
  })

  it('explains every way an explicit size can be wrong', () => {
    expect(sizeValueProblem('1536x864')).toBeNull()
    expect(sizeValueProblem('3840x2160')).toBeNull()
    expect(sizeValueProblem('1000x1000')).toContain('multiples of 16')
    expect(sizeValueProblem('4096x2304')).toContain('3840')
    expect(sizeValueProblem('3072x992')).toContain('1:3 and 3:1')
    expect(sizeValueProblem('128x128')).toContain('at least')
    expect(sizeValueProblem('square')).toContain('aspect ratio')
  })

  it('finds the nearest listed ratio of any shape', () => {
    expect(closestAspectRatio(1920, 1080)).toBe('16:9')
    expect(closestAspectRatio(375, 812)).toBe('9:21')
    expect(closestAspectRatio(400, 800)).toBe('1:2')
    expect(closestAspectRatio(1000, 1000)).toBe('1:1')
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 10_000 }),
        fc.integer({ min: 1, max: 10_000 }),
        (w, h) => {
          expect(ASPECT_RATIOS).toContain(closestAspectRatio(w, h))
        },
      ),
    )
  })

  it('never accepts a flexible size outside the limits', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 16, max: 5000 }),
        fc.integer({ min: 16, max: 5000 }),
        (width, height) => {
          if (flexibleSizeProblem({ width, height }) !== null) return
          expect(width % 16).toBe(0)
          expect(height % 16).toBe(0)
          expect(Math.max(width, height)).toBeLessThanOrEqual(FLEXIBLE_SIZE_LIMITS.maxEdge)
          expect(width * height).toBeLessThanOrEqual(FLEXIBLE_SIZE_LIMITS.maxPixels)
          expect(Math.max(width / height, height / width)).toBeLessThanOrEqual(3)
        },
      ),
    )
  })
})
