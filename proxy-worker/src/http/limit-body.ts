import { bodyLimit } from 'hono/body-limit'
import { createMiddleware } from 'hono/factory'
import type { AppEnv } from '../env'
import { ApiError } from './api-error'
import { bodyKind } from './read-body'

const inWords = (maxBytes: number) =>
  maxBytes >= 1024 * 1024
    ? `${Math.round(maxBytes / (1024 * 1024))} MB`
    : `${Math.round(maxBytes / 1024)} KB`

export function limitBody(maxBytes: number, advice = 'Send fewer or smaller reference images.') {
  return bodyLimit({
    maxSize: maxBytes,
    onError: () => {
      throw new ApiError(
        'payload_too_large',
        `The request is larger than ${inWords(maxBytes)}. ${advice}`,
      )
    },
  })
}

/** Edits: multipart files may be larger than JSON, which is parsed whole, in memory. */
export function limitEditBody(formBytes: number, jsonBytes: number) {
  const form = limitBody(formBytes)
  const json = limitBody(
    jsonBytes,
    'JSON with data: URLs is kept small: send the references as multipart/form-data file parts instead.',
  )
  return createMiddleware<AppEnv>((c, next) => (bodyKind(c) === 'json' ? json : form)(c, next))
}
