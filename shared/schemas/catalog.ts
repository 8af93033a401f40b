import { z } from 'zod'
import { ASPECT_RATIOS } from '../aspect-ratios'
import { MODEL_IDS, PROVIDERS, QUALITIES } from '../models'
import { okEnvelope } from './envelope'

export const CatalogModelSchema = z.object({
  id: z.enum(MODEL_IDS),
  label: z.string(),
  provider: z.enum(PROVIDERS),
  default: z.boolean(),
  sizing: z.enum(['flexible', 'fixed']),
  aspect_ratios: z.array(
    z.object({
      ratio: z.enum(ASPECT_RATIOS),
      width: z.number().int(),
      height: z.number().int(),
    }),
  ),
  qualities: z.array(z.enum(QUALITIES)),
  max_n: z.number().int(),
  prices: z.object({ low: z.number(), medium: z.number(), high: z.number() }),
  takes_references: z.boolean(),
  max_references: z.number().int(),
})

export type CatalogModel = z.infer<typeof CatalogModelSchema>

export const CatalogResponseSchema = okEnvelope(z.object({ models: z.array(CatalogModelSchema) }))
