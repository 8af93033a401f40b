import { zValidator } from '@hono/zod-validator'
import type { ValidationTargets } from 'hono'
import { createMiddleware } from 'hono/factory'
import type * as z from 'zod/mini'
import type { AppEnv } from '../env'
import { ApiError } from './api-error'

export function issuesMessage(error: { issues: readonly { message: string }[] }): string {
  const messages = [...new Set(error.issues.map((issue) => issue.message))]
  return messages.slice(0, 3).join(' ')
}

/** zValidator whose failures become the one error shape, with the schema's own wording. */
export function valid<Target extends keyof ValidationTargets, Schema extends z.ZodMiniType>(
  target: Target,
  schema: Schema,
) {
  return zValidator(target, schema, (result) => {
    if (!result.success) throw new ApiError('invalid_request', issuesMessage(result.error))
  })
}

export function isJsonContentType(type: string): boolean {
  return /^application\/(.+\+)?json\b/i.test(type)
}

/** Refuses a body that does not declare JSON before anything tries to read it. */
export const requireJson = createMiddleware<AppEnv>(async (c, next) => {
  const type = c.req.header('Content-Type') ?? ''
  if (!isJsonContentType(type)) {
    throw new ApiError(
      'unsupported_media_type',
      'Send the request as JSON, with the header Content-Type: application/json.',
    )
  }
  await next()
})
