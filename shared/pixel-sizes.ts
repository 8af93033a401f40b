import {
  type AspectRatio,
  closestAspectRatio,
  isAspectRatio,
  type Ratio,
  ratioOf,
} from './aspect-ratios'

export interface PixelSize {
  width: number
  height: number
}

/** gpt-image-2's published limits: sides divisible by 16, ratio within 1:3..3:1, at most 3840x2160. */
export const FLEXIBLE_SIZE_LIMITS = {
  step: 16,
  maxEdge: 3840,
  maxPixels: 3840 * 2160,
  minEdge: 256,
  maxRatio: 3,
} as const

/** The sizes every other GPT image model accepts. */
export const FIXED_SIZES: readonly PixelSize[] = [
  { width: 1024, height: 1024 },
  { width: 1536, height: 1024 },
  { width: 1024, height: 1536 },
]

const STANDARD_SHORT_SIDE = 1024

export function formatPixelSize(size: PixelSize): string {
  return `${size.width}x${size.height}`
}

export function parsePixelSize(value: string): PixelSize | null {
  const match = /^(\d{2,5})x(\d{2,5})$/.exec(value)
  if (!match) return null
  return { width: Number(match[1]), height: Number(match[2]) }
}

function roundToStep(value: number): number {
  return Math.max(
    FLEXIBLE_SIZE_LIMITS.step,
    Math.round(value / FLEXIBLE_SIZE_LIMITS.step) * FLEXIBLE_SIZE_LIMITS.step,
  )
}

/**
 * The size gpt-image-2 is asked for to get a shape: short side 1024, long side rounded to a multiple
 * of 16, the shape clamped to 1:3..3:1 and each side to the largest edge.
 */
export function flexibleSizeForShape(width: number, height: number): PixelSize {
  const { maxRatio, maxEdge } = FLEXIBLE_SIZE_LIMITS
  const ratio = Math.min(maxRatio, Math.max(1 / maxRatio, width / Math.max(height, 1)))
  const long = (side: number) => Math.min(maxEdge, roundToStep(side))
  return ratio >= 1
    ? { width: long(STANDARD_SHORT_SIDE * ratio), height: STANDARD_SHORT_SIDE }
    : { width: STANDARD_SHORT_SIDE, height: long(STANDARD_SHORT_SIDE / ratio) }
}

/** The size gpt-image-2 is asked for at one of the listed aspect ratios. */
export function flexibleSizeFor(aspectRatio: AspectRatio): PixelSize {
  const ratio = ratioOf(aspectRatio)
  return flexibleSizeForShape(ratio.width, ratio.height)
}

/** The fixed size whose shape is nearest; the plugin crops the rest when it fills the frame. */
export function closestFixedSize(width: number, height: number): PixelSize {
  const target = Math.log(width / height)
  return FIXED_SIZES.reduce((best, size) =>
    Math.abs(Math.log(size.width / size.height) - target) <
    Math.abs(Math.log(best.width / best.height) - target)
      ? size
      : best,
  )
}

/** Why an explicit size cannot go to gpt-image-2, or null when it can. */
export function flexibleSizeProblem(size: PixelSize): string | null {
  const { step, maxEdge, maxPixels, minEdge, maxRatio } = FLEXIBLE_SIZE_LIMITS
  if (size.width % step !== 0 || size.height % step !== 0) {
    return `Width and height must both be multiples of ${step} (for example 1536x864).`
  }
  if (Math.min(size.width, size.height) < minEdge) {
    return `Each side must be at least ${minEdge} pixels.`
  }
  if (Math.max(size.width, size.height) > maxEdge || size.width * size.height > maxPixels) {
    return `The largest size is ${maxEdge}x2160 (or 2160x${maxEdge}).`
  }
  const ratio = Math.max(size.width, size.height) / Math.min(size.width, size.height)
  if (ratio > maxRatio) {
    return 'The shape must be between 1:3 and 3:1.'
  }
  return null
}

/** Why a size value (ratio or WxH) is not usable at all, or null. */
export function sizeValueProblem(value: string): string | null {
  if (isAspectRatio(value)) return null
  const explicit = parsePixelSize(value)
  if (!explicit) {
    return 'Use an aspect ratio such as 1:1, 4:3 or 16:9, or an exact size such as 1536x864.'
  }
  return flexibleSizeProblem(explicit)
}

/** The aspect ratio a size value stands for (an explicit WxH maps to its nearest listed ratio). */
export function aspectRatioOfSize(value: string): AspectRatio {
  if (isAspectRatio(value)) return value
  const explicit = parsePixelSize(value)
  return explicit ? closestAspectRatio(explicit.width, explicit.height) : '1:1'
}

/** The shape of a size value, whether it is a ratio or an explicit WxH. */
export function ratioOfSizeValue(value: string): Ratio {
  return parsePixelSize(value) ?? ratioOf(aspectRatioOfSize(value))
}
