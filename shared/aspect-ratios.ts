export const ASPECT_RATIOS = [
  '1:1',
  '3:2',
  '2:3',
  '4:3',
  '3:4',
  '5:4',
  '4:5',
  '16:9',
  '9:16',
  '21:9',
  '9:21',
  '2:1',
  '1:2',
  '3:1',
  '1:3',
] as const

export type AspectRatio = (typeof ASPECT_RATIOS)[number]

export interface Ratio {
  width: number
  height: number
}

export function isAspectRatio(value: string): value is AspectRatio {
  return (ASPECT_RATIOS as readonly string[]).includes(value)
}

export function ratioOf(aspectRatio: AspectRatio): Ratio {
  const [width, height] = aspectRatio.split(':').map(Number)
  return { width, height }
}

/** The listed ratio nearest to width:height, compared on a log scale so 2:1 and 1:2 are equally far from 1:1. */
export function closestAspectRatio(width: number, height: number): AspectRatio {
  const target = Math.log(width / height)
  let best: AspectRatio = '1:1'
  let bestDistance = Number.POSITIVE_INFINITY
  for (const candidate of ASPECT_RATIOS) {
    const ratio = ratioOf(candidate)
    const distance = Math.abs(Math.log(ratio.width / ratio.height) - target)
    if (distance < bestDistance) {
      best = candidate
      bestDistance = distance
    }
  }
  return best
}
