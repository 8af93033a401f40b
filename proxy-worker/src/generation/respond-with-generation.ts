import type { Context } from 'hono'
import {
  errorBody,
  type GenerateRequest,
  type GenerationResult,
  type StreamEvent,
} from '../../../shared'
import { sha256Hex } from '../accounts/token-hash'
import type { AppEnv } from '../env'
import { ApiError } from '../http/api-error'
import { toApiError } from '../http/error-response'
import type { ImageInputs } from '../providers/image-provider'
import { claimIdempotencyKey, type IdempotencySlot } from './idempotency'
import {
  type GenerationOutcome,
  HandedOver,
  requestDeadline,
  runGeneration,
} from './run-generation'
import { sseStream } from './sse-stream'

const LOOPBACK_HOSTS = ['localhost', '127.0.0.1', '[::1]']

/**
 * Where images are served from, which is also what KIE is told to fetch references from: never
 * taken from a request's Host header (anyone can send any), except on this machine in development.
 */
export function imageBaseUrl(c: Context<AppEnv>): string {
  const configured = c.env.PUBLIC_BASE_URL?.replace(/\/+$/, '')
  if (configured) return `${configured}/v1/images`
  const origin = new URL(c.req.url)
  if (LOOPBACK_HOSTS.includes(origin.hostname)) return `${origin.origin}/v1/images`
  throw new ApiError(
    'upstream_unconfigured',
    "This Promptframe service is not fully set up, so nothing was charged: its team admin must set PUBLIC_BASE_URL to the worker's address.",
  )
}

export function wantsStream(c: Context<AppEnv>, request: { stream?: boolean }): boolean {
  return request.stream ?? (c.req.header('Accept') ?? '').includes('text/event-stream')
}

export async function requestFingerprint(
  request: GenerateRequest,
  inputs: ImageInputs,
): Promise<string> {
  const { stream: _stream, ...fields } = request
  const referenceDigests = inputs.references.map((reference) => reference.digest)
  const maskDigest = inputs.mask?.digest ?? null
  return sha256Hex(JSON.stringify({ fields, referenceDigests, maskDigest }))
}

/**
 * Claims the request's Idempotency-Key, when it has one. A repeat that is answered from the first
 * request's result, or a claim that fails, needs the references no more: they are let go here.
 */
export async function claimSlot(
  c: Context<AppEnv>,
  request: GenerateRequest,
  inputs: ImageInputs,
): Promise<IdempotencySlot | null> {
  const key = c.req.header('Idempotency-Key')
  if (!key) return null
  let slot: IdempotencySlot
  try {
    slot = await claimIdempotencyKey(
      c.env,
      c.get('user').id,
      c.get('access'),
      key,
      await requestFingerprint(request, inputs),
      requestDeadline(c.env),
    )
  } catch (error) {
    await inputs.release().catch(() => {})
    throw error
  }
  if (slot.replay) c.executionCtx.waitUntil(inputs.release().catch(() => {}))
  return slot
}

/**
 * Runs a generation under its Idempotency-Key (when given) and keeps the work alive with waitUntil,
 * so a job the upstream has accepted runs to its end, and is settled, when the client leaves. The
 * references are let go once it has ended, however it ended.
 */
export async function generateOnce(
  c: Context<AppEnv>,
  slot: IdempotencySlot | null,
  request: GenerateRequest,
  inputs: ImageInputs,
  options: {
    signal: AbortSignal
    emit?: (event: StreamEvent) => void
    keepImages?: boolean
    answerWithBytes?: boolean
  },
): Promise<GenerationOutcome> {
  const { signal, emit, keepImages, answerWithBytes } = options
  const work = Promise.resolve()
    .then(() =>
      runGeneration(
        {
          env: c.env,
          user: c.get('user'),
          access: c.get('access'),
          requestId: c.get('requestId'),
          imageBaseUrl: imageBaseUrl(c),
          signal,
          keepImages,
          answerWithBytes,
          emit,
          idempotencyKeyHash: slot?.keyHash,
        },
        request,
        inputs,
      ),
    )
    .finally(() => c.executionCtx.waitUntil(inputs.release().catch(() => {})))
  const keyRecorded = work.then(
    (outcome) => slot?.finish(outcome.result),
    // A failed request frees its key before the failure is answered, so a retry can use it. One
    // handed to the account object is still running there: its key stays taken.
    (error) => (error instanceof HandedOver ? undefined : slot?.abandon(c.get('requestId'))),
  )
  c.executionCtx.waitUntil(keyRecorded.catch(() => {}))
  return work.catch(async (error) => {
    await keyRecorded.catch(() => {})
    throw error
  })
}

function replayEvents(result: GenerationResult, send: (event: StreamEvent) => void) {
  for (const image of result.images) {
    send({ type: 'image', request_id: result.request_id, provider: result.provider, image })
  }
  send({ type: 'credits', credits: result.credits })
  send({ type: 'done', result })
}

/** Answers an image request as JSON, or as server-sent events when the client streams. */
export async function respondWithGeneration(
  c: Context<AppEnv>,
  request: GenerateRequest,
  inputs: ImageInputs,
): Promise<Response> {
  const slot = await claimSlot(c, request, inputs)
  if (!wantsStream(c, request)) {
    if (slot?.replay) return c.json({ code: 0, message: 'ok', data: slot.replay })
    const { result } = await generateOnce(c, slot, request, inputs, {
      signal: c.req.raw.signal,
    })
    return c.json({ code: 0, message: 'ok', data: result })
  }
  const { response, done } = sseStream<StreamEvent>(async ({ send, signal }) => {
    if (slot?.replay) return replayEvents(slot.replay, send)
    try {
      const { result } = await generateOnce(c, slot, request, inputs, { signal, emit: send })
      send({ type: 'done', result })
    } catch (error) {
      const apiError = toApiError(error)
      send({ type: 'error', error: errorBody(apiError.type, apiError.message, c.get('requestId')) })
    }
  }, c.req.raw.signal)
  c.executionCtx.waitUntil(done)
  return response
}
