import type { ModelId, Quality } from './models'

/** Credits per image, by model and quality. gpt-image-2's tiers are the product's published prices. */
export const CREDIT_PRICES: Record<ModelId, Record<Quality, number>> = {
  'gpt-image-2': { low: 2, medium: 6, high: 12 },
  'gpt-image-1.5': { low: 2, medium: 5, high: 10 },
  'gpt-image-1-mini': { low: 1, medium: 2, high: 4 },
}

export function creditCost(model: ModelId, quality: Quality, n: number): number {
  return CREDIT_PRICES[model][quality] * n
}
