import { aspectRatioSizes, type CatalogModel, CREDIT_PRICES } from '../../shared'

/** A catalog entry as the worker lists it. */
export function catalogModel(id: 'gpt-image-2' | 'gpt-image-1.5' = 'gpt-image-2'): CatalogModel {
  return {
    id,
    label: id,
    provider: 'preview',
    default: id === 'gpt-image-2',
    sizing: id === 'gpt-image-2' ? 'flexible' : 'fixed',
    aspect_ratios: aspectRatioSizes(id),
    qualities: ['low', 'medium', 'high'],
    max_n: 10,
    prices: CREDIT_PRICES[id],
    takes_references: true,
    max_references: 16,
    masks: true,
    transparency: true,
  }
}
