import type { Context } from 'hono'
import type * as z from 'zod/mini'
import type { AppEnv } from '../env'
import { ApiError } from './api-error'
import { isJsonContentType, issuesMessage } from './validation'

export const INVALID_JSON_MESSAGE =
  'The request body is not valid JSON. Send a JSON object with Content-Type: application/json.'

/** How a body that may carry files was sent: multipart, JSON, or something it cannot be. */
export function bodyKind(c: Context<AppEnv>): 'form' | 'json' | null {
  const type = c.req.header('Content-Type') ?? ''
  if (/^multipart\/form-data/i.test(type)) return 'form'
  return isJsonContentType(type) ? 'json' : null
}

export async function readJsonBody(c: Context<AppEnv>): Promise<unknown> {
  try {
    return await c.req.json()
  } catch {
    throw new ApiError('invalid_json', INVALID_JSON_MESSAGE)
  }
}

/** Parses with a shared schema; a failure is a 400 in the schema's own words. */
export function parseBody<Schema extends z.ZodMiniType>(
  schema: Schema,
  value: unknown,
): z.output<Schema> {
  const parsed = schema.safeParse(value)
  if (!parsed.success) throw new ApiError('invalid_request', issuesMessage(parsed.error))
  return parsed.data as z.output<Schema>
}
