import type { Context } from 'hono'
import { HTTPException } from 'hono/http-exception'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import { ERROR_TYPES, type ErrorType, errorBody } from '../../../shared'
import type { AppEnv } from '../env'
import { ApiError } from './api-error'
import { INVALID_JSON_MESSAGE } from './read-body'

/** Routes that speak OpenAI's dialect answer errors in OpenAI's shape too. */
const OPENAI_COMPATIBLE_PATHS = ['/v1/images/generations', '/v1/images/edits']

export function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error
  if (error instanceof HTTPException) {
    if (error.status === 413) {
      return new ApiError('payload_too_large', 'The request is too large.')
    }
    if (error.status === 400) {
      return new ApiError('invalid_json', INVALID_JSON_MESSAGE)
    }
    if (error.status === 401) {
      return new ApiError('unauthorized', 'Sign in: add your Promptframe token in Settings.')
    }
  }
  return new ApiError('internal', 'Something went wrong on our side. Try again in a moment.')
}

export function errorResponse(c: Context<AppEnv>, error: unknown): Response {
  const apiError = toApiError(error)
  if (apiError.type === 'internal') console.error('unexpected error', error)
  const requestId = c.get('requestId')
  const status = ERROR_TYPES[apiError.type].status as ContentfulStatusCode
  if (OPENAI_COMPATIBLE_PATHS.includes(c.req.path)) {
    return c.json(openAiErrorBody(apiError.type, apiError.message), status)
  }
  return c.json(errorBody(apiError.type, apiError.message, requestId), status)
}

/** OpenAI's ErrorResponse: `{ error: { message, type, param, code } }`. */
export function openAiErrorBody(type: ErrorType, message: string) {
  const openAiType =
    ERROR_TYPES[type].status >= 500
      ? 'server_error'
      : type === 'insufficient_credits'
        ? 'insufficient_quota'
        : 'invalid_request_error'
  return { error: { message, type: openAiType, param: null, code: type } }
}
