import { bodyLimit } from 'hono/body-limit'
import { ApiError } from './api-error'

export function limitBody(maxBytes: number) {
  const megabytes =
    maxBytes >= 1024 * 1024
      ? `${Math.round(maxBytes / (1024 * 1024))} MB`
      : `${Math.round(maxBytes / 1024)} KB`
  return bodyLimit({
    maxSize: maxBytes,
    onError: () => {
      throw new ApiError(
        'payload_too_large',
        `The request is larger than ${megabytes}. Send fewer or smaller reference images.`,
      )
    },
  })
}
