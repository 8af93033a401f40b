import { ASPECT_RATIOS, type AspectRatio } from './aspect-ratios'
import {
  closestFixedSize,
  flexibleSizeFor,
  type PixelSize,
  parsePixelSize,
  ratioOfSizeValue,
} from './pixel-sizes'

export const MODEL_IDS = ['gpt-image-2', 'gpt-image-1.5', 'gpt-image-1-mini'] as const
export type ModelId = (typeof MODEL_IDS)[number]

export const QUALITIES = ['low', 'medium', 'high'] as const
export type Quality = (typeof QUALITIES)[number]

export const PROVIDERS = ['openai', 'kie', 'preview'] as const
export type Provider = (typeof PROVIDERS)[number]

export type Sizing = 'flexible' | 'fixed'

/** What each image service can do beyond plain generation and edits. */
export interface ProviderFeatures {
  /** Edits restricted to an area by a mask. */
  masks: boolean
  /** Images with a transparent background. */
  transparency: boolean
}

export const PROVIDER_FEATURES: Record<Provider, ProviderFeatures> = {
  openai: { masks: true, transparency: true },
  // KIE's task API takes neither a mask nor a background setting.
  kie: { masks: false, transparency: false },
  preview: { masks: true, transparency: true },
}

export interface ModelSpec {
  id: ModelId
  label: string
  sizing: Sizing
  /** Providers able to serve the model, in order of preference. */
  providers: readonly Provider[]
  maxN: number
  maxReferences: number
}

export const MODEL_SPECS: Record<ModelId, ModelSpec> = {
  'gpt-image-2': {
    id: 'gpt-image-2',
    label: 'GPT Image 2',
    sizing: 'flexible',
    providers: ['openai', 'kie', 'preview'],
    maxN: 10,
    maxReferences: 16,
  },
  'gpt-image-1.5': {
    id: 'gpt-image-1.5',
    label: 'GPT Image 1.5',
    sizing: 'fixed',
    providers: ['openai', 'preview'],
    maxN: 10,
    maxReferences: 16,
  },
  'gpt-image-1-mini': {
    id: 'gpt-image-1-mini',
    label: 'GPT Image 1 mini',
    sizing: 'fixed',
    providers: ['openai', 'preview'],
    maxN: 10,
    maxReferences: 16,
  },
}

export const DEFAULT_MODEL: ModelId = 'gpt-image-2'

export function isModelId(value: string): value is ModelId {
  return (MODEL_IDS as readonly string[]).includes(value)
}

/** The pixel size a model produces for a size value: an aspect ratio or an explicit WxH. */
export function pixelSizeFor(model: ModelId, size: string): PixelSize {
  const explicit = parsePixelSize(size)
  if (MODEL_SPECS[model].sizing === 'fixed') {
    const shape = explicit ?? ratioOfSizeValue(size)
    return closestFixedSize(shape.width, shape.height)
  }
  return explicit ?? flexibleSizeFor(size as AspectRatio)
}

export function aspectRatioSizes(
  model: ModelId,
): { ratio: AspectRatio; width: number; height: number }[] {
  return ASPECT_RATIOS.map((ratio) => ({ ratio, ...pixelSizeFor(model, ratio) }))
}
