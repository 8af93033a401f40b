import { Hono } from 'hono'
import {
  aspectRatioSizes,
  type CatalogModel,
  CREDIT_PRICES,
  DEFAULT_MODEL,
  MODEL_IDS,
  MODEL_SPECS,
  QUALITIES,
} from '../../../shared'
import type { AppEnv, Env } from '../env'
import { featuresFor, providerFor } from '../providers/resolve-provider'

/** The models this server can serve now, with everything the plugin needs to build its controls. */
export function catalog(env: Env): CatalogModel[] {
  return MODEL_IDS.flatMap((id) => {
    const provider = providerFor(env, id)
    if (!provider) return []
    const spec = MODEL_SPECS[id]
    return [
      {
        id,
        label: spec.label,
        provider,
        default: id === DEFAULT_MODEL,
        sizing: spec.sizing,
        aspect_ratios: aspectRatioSizes(id),
        qualities: [...QUALITIES],
        max_n: spec.maxN,
        prices: CREDIT_PRICES[id],
        takes_references: spec.maxReferences > 0,
        max_references: spec.maxReferences,
        ...featuresFor(env, id),
      },
    ]
  })
}

export const models = new Hono<AppEnv>()

models.get('/', (c) => c.json({ code: 0, message: 'ok', data: { models: catalog(c.env) } }))
