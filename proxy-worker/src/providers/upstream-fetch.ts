import { ApiError, isAbortError } from '../http/api-error'

/** fetch, with upstream failures of the network itself turned into clear errors. */
export async function upstreamFetch(
  url: string,
  init: RequestInit,
  signal: AbortSignal,
): Promise<Response> {
  try {
    return await fetch(url, { ...init, signal })
  } catch (error) {
    throw abortOrNetworkError(error, signal)
  }
}

export function abortOrNetworkError(error: unknown, signal: AbortSignal): ApiError {
  if (error instanceof ApiError) return error
  if (signal.aborted || isAbortError(error)) {
    const reason = signal.reason
    if (reason instanceof ApiError) return reason
    if (reason instanceof Error && reason.name === 'TimeoutError') {
      return new ApiError(
        'upstream_timeout',
        'The image model took too long to answer. Your credits were refunded: try again, perhaps at a lower quality.',
      )
    }
    return new ApiError('cancelled', 'The generation was cancelled. Your credits were refunded.')
  }
  return new ApiError(
    'upstream_error',
    'The image model could not be reached. Your credits were refunded: try again in a moment.',
  )
}

export async function readJson(response: Response, what: string): Promise<unknown> {
  const text = await response.text()
  try {
    return JSON.parse(text)
  } catch {
    throw new ApiError(
      'upstream_malformed',
      `The image model sent an answer we could not read (${what}). Your credits were refunded: try again.`,
    )
  }
}
