import * as z from 'zod/mini'
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
    z.object({ ratio: z.enum(ASPECT_RATIOS), width: z.int(), height: z.int() }),
  ),
  qualities: z.array(z.enum(QUALITIES)),
  max_n: z.int(),
  prices: z.object({ low: z.number(), medium: z.number(), high: z.number() }),
  takes_references: z.boolean(),
  max_references: z.int(),
  /** Whether edits restricted to an area (a mask) can be served. */
  masks: z.boolean(),
  /** Whether a transparent background can be made. */
  transparency: z.boolean(),
})

export type CatalogModel = z.infer<typeof CatalogModelSchema>

export const CatalogResponseSchema = okEnvelope(z.object({ models: z.array(CatalogModelSchema) }))
