import { decodeBase64, formatPixelSize } from '../../../shared'
import { readSse } from '../../../shared/server-sent-events'
import { ApiError } from '../http/api-error'
import type { ImageJob, ImageProvider } from './image-provider'
import { multipartBody } from './multipart-body'
import { type DecodedImageTarget, readB64ImageParts } from './read-b64-images'
import { abortOrNetworkError, readJson, upstreamFetch } from './upstream-fetch'

interface OpenAiSettings {
  apiKey: string
  baseUrl: string
}

/** How many partial previews to ask for per image while streaming (OpenAI allows 0..3). */
const PARTIAL_IMAGES = 2

interface OpenAiErrorBody {
  error?: { message?: string; code?: string | null; type?: string }
}

export function openAiUpstreamError(status: number, body: unknown): ApiError {
  const error = (body as OpenAiErrorBody | null)?.error
  const code = error?.code ?? ''
  if (code === 'moderation_blocked' || code === 'content_policy_violation') {
    return new ApiError(
      'content_policy',
      "The image model's safety system blocked this request. Your credits were refunded: rephrase the prompt (or change the references) and try again.",
    )
  }
  if (status === 429 && code === 'insufficient_quota') {
    return new ApiError(
      'upstream_quota',
      'The image service has run out of quota. Your credits were refunded: let your team admin know.',
    )
  }
  if (status === 429) {
    return new ApiError(
      'rate_limited',
      'The image model is busy right now. Your credits were refunded: wait a minute and try again.',
    )
  }
  if (status === 401 || status === 403) {
    return new ApiError(
      'upstream_unconfigured',
      "The image service refused Promptframe's key. Your credits were refunded: let your team admin know.",
    )
  }
  // OpenAI's own words go to the log, never to the designer.
  console.error('OpenAI refused a request', status, code, error?.message)
  if (status === 400) {
    return new ApiError(
      'upstream_error',
      'The image model could not do this request. Your credits were refunded: change the prompt or references, or try again.',
    )
  }
  return new ApiError(
    'upstream_error',
    `The image model failed (status ${status}). Your credits were refunded: try again in a moment.`,
  )
}

function commonFields(
  job: ImageJob,
  count: number,
  stream: boolean,
): Record<string, string | number | boolean> {
  return {
    model: job.model,
    prompt: job.prompt,
    n: count,
    size: formatPixelSize(job.size),
    quality: job.quality,
    background: job.background,
    output_format: job.outputFormat,
    ...(stream ? { stream: true, partial_images: PARTIAL_IMAGES } : {}),
  }
}

function requestInit(
  job: ImageJob,
  count: number,
  stream: boolean,
  apiKey: string,
): { path: string; init: RequestInit } {
  const fields = commonFields(job, count, stream)
  const headers = { Authorization: `Bearer ${apiKey}` }
  if (job.references.length === 0) {
    return {
      path: '/images/generations',
      init: {
        method: 'POST',
        headers: { ...headers, 'Content-Type': 'application/json' },
        body: JSON.stringify(fields),
      },
    }
  }
  const files = job.references.map((file) => ({ field: 'image[]', file }))
  // OpenAI applies the mask to the first image: its transparent pixels are the area to change.
  if (job.mask) files.push({ field: 'mask', file: job.mask })
  const textFields = Object.fromEntries(
    Object.entries(fields).map(([name, value]) => [name, String(value)]),
  )
  const { body, contentType } = multipartBody(textFields, files)
  return {
    path: '/images/edits',
    init: { method: 'POST', headers: { ...headers, 'Content-Type': contentType }, body },
  }
}

/**
 * Stores each image of a JSON answer while its base64 streams in. An image that fails is let go
 * and the others go on; the first failure is thrown once the answer has been read to its end.
 */
async function uploadEach(
  body: ReadableStream<Uint8Array>,
  count: number,
  open: (index: number) => DecodedImageTarget,
): Promise<number> {
  let opened = 0
  let failure: { reason: unknown } | null = null
  const found = await readB64ImageParts(body, () => {
    const index = opened++
    if (index >= count) return { write() {}, close() {} }
    const target = open(index)
    let failed = false
    const guard = async (step: () => Promise<void> | void) => {
      if (failed) return
      try {
        await step()
      } catch (reason) {
        failed = true
        failure ??= { reason }
        await target.abort?.()
      }
    }
    return {
      write: (bytes) => guard(() => target.write(bytes)),
      close: () => guard(() => target.close()),
    }
  })
  if (failure) throw (failure as { reason: unknown }).reason
  return found
}

/** The OpenAI Images API: generations without references, edits with them. */
export function openAiProvider(settings: OpenAiSettings): ImageProvider {
  const baseUrl = settings.baseUrl.replace(/\/+$/, '')

  async function call(job: ImageJob, count: number, stream: boolean, firstIndex: number) {
    const { path, init } = requestInit(job, count, stream, settings.apiKey)
    const response = await upstreamFetch(`${baseUrl}${path}`, init, job.signal).catch(
      async (error) => {
        // A streamed edit body the request never took stops reading its references from R2.
        if (init.body instanceof ReadableStream && !init.body.locked)
          await init.body.cancel().catch(() => {})
        throw error
      },
    )
    if (!response.ok) {
      throw openAiUpstreamError(
        response.status,
        await readJson(response, `status ${response.status}`).catch(() => null),
      )
    }
    // OpenAI has taken the request: it is billed whether or not the client stays.
    job.onAccepted()
    if (
      stream &&
      response.body &&
      response.headers.get('content-type')?.includes('text/event-stream')
    ) {
      await readStream(job, response.body, firstIndex)
      return
    }
    const body = response.body ?? new ReadableStream()
    const found = await uploadEach(body, count, (index) => job.upload(firstIndex + index))
    if (found === 0) {
      throw new ApiError(
        'upstream_malformed',
        'The image model sent an answer without images. Your credits were refunded: try again.',
      )
    }
  }

  async function readStream(job: ImageJob, body: ReadableStream<Uint8Array>, index: number) {
    try {
      for await (const message of readSse(body)) {
        if (message.data === '[DONE]') break
        const event = JSON.parse(message.data) as {
          type?: string
          b64_json?: string
          partial_image_index?: number
          output_format?: string
          error?: unknown
        }
        if (event.type?.endsWith('.partial_image') && event.b64_json) {
          job.onPartial?.({
            index,
            partialIndex: event.partial_image_index ?? 0,
            mimeType: `image/${event.output_format ?? job.outputFormat}`,
            b64: event.b64_json,
          })
        } else if (event.type?.endsWith('.completed') && event.b64_json) {
          await job.deliver(index, decodeBase64(event.b64_json), event.b64_json)
          return
        } else if (event.type === 'error' || event.error) {
          throw openAiUpstreamError(400, event)
        }
      }
    } catch (error) {
      if (error instanceof SyntaxError) {
        throw new ApiError(
          'upstream_malformed',
          'The image model sent a stream we could not read. Your credits were refunded: try again.',
        )
      }
      throw abortOrNetworkError(error, job.signal)
    }
    throw new ApiError(
      'upstream_malformed',
      'The image model ended the stream without an image. Your credits were refunded: try again.',
    )
  }

  return {
    name: 'openai',
    async generate(job) {
      if (!job.onPartial) return call(job, job.n, false, 0)
      // Partial previews carry no image index, so each streamed image gets a request of its own.
      const results = await Promise.allSettled(
        Array.from({ length: job.n }, (_, index) => call(job, 1, true, index)),
      )
      const failure = results.find((result) => result.status === 'rejected')
      if (failure) throw failure.reason
    },
  }
}
