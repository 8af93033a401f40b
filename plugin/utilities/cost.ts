import type { CatalogModel, Quality } from '../../shared'

export function costOf(model: CatalogModel, quality: Quality, images: number): number {
  return model.prices[quality] * images
}

export function creditsLabel(count: number): string {
  return count === 1 ? '1 credit' : `${count} credits`
}

/** The button text: what will happen and what it costs. */
export function generateLabel(images: number, cost: number): string {
  return `Generate ${images} · ${creditsLabel(cost)}`
}

export function shortfallMessage(cost: number, balance: number): string {
  return `This needs ${creditsLabel(cost)} and you have ${creditsLabel(balance)}. Ask your team admin for more credits, or choose fewer images or a lower quality.`
}
