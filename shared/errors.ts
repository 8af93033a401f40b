import * as z from 'zod/mini'

/**
 * Every error the API can answer with: its HTTP status and the stable numeric code in the body.
 * Codes are HTTP status × 100 plus a running number, so they never collide and never are 0.
 */
export const ERROR_TYPES = {
  invalid_request: { status: 400, code: 40001 },
  invalid_json: { status: 400, code: 40002 },
  unknown_model: { status: 400, code: 40003 },
  model_unavailable: { status: 400, code: 40004 },
  invalid_reference: { status: 400, code: 40005 },
  content_policy: { status: 400, code: 40006 },
  invalid_mask: { status: 400, code: 40007 },
  feature_unavailable: { status: 400, code: 40008 },
  unauthorized: { status: 401, code: 40101 },
  admin_unauthorized: { status: 401, code: 40102 },
  account_disabled: { status: 403, code: 40301 },
  insufficient_credits: { status: 402, code: 40201 },
  not_found: { status: 404, code: 40401 },
  method_not_allowed: { status: 405, code: 40501 },
  idempotency_in_progress: { status: 409, code: 40901 },
  payload_too_large: { status: 413, code: 41301 },
  unsupported_media_type: { status: 415, code: 41501 },
  idempotency_mismatch: { status: 422, code: 42201 },
  rate_limited: { status: 429, code: 42901 },
  too_many_running: { status: 429, code: 42902 },
  cancelled: { status: 499, code: 49901 },
  internal: { status: 500, code: 50001 },
  upstream_error: { status: 502, code: 50201 },
  upstream_malformed: { status: 502, code: 50202 },
  upstream_quota: { status: 503, code: 50301 },
  upstream_unconfigured: { status: 503, code: 50302 },
  storage_unavailable: { status: 503, code: 50303 },
  upstream_timeout: { status: 504, code: 50401 },
} as const

export type ErrorType = keyof typeof ERROR_TYPES

export const ERROR_TYPE_NAMES = Object.keys(ERROR_TYPES) as [ErrorType, ...ErrorType[]]

export const ErrorBodySchema = z.object({
  code: z.int().check(z.refine((code: number) => code !== 0, 'An error code is never 0')),
  type: z.enum(ERROR_TYPE_NAMES),
  message: z.string().check(z.minLength(1)),
  request_id: z.optional(z.string()),
})

export type ErrorBody = z.infer<typeof ErrorBodySchema>

export function errorBody(type: ErrorType, message: string, requestId?: string): ErrorBody {
  return {
    code: ERROR_TYPES[type].code,
    type,
    message,
    ...(requestId ? { request_id: requestId } : {}),
  }
}
