import {
  type GenerateRequestInput,
  type GenerationResult,
  readSse,
  type StreamEvent,
  StreamEventSchema,
} from '../../../shared'
import type { ReferenceImageBytes, Settings } from '../../types'
import { ApiFailure, isAbort } from './api-failure'
import { whenDecided } from './when-decided'
import { authHeaders, workerFetch } from './worker-api'

function requestBody(
  request: GenerateRequestInput,
  references: ReferenceImageBytes[],
  mask: Uint8Array | null,
): { path: string; init: RequestInit } {
  if (references.length === 0) {
    return {
      path: '/v1/images/generate',
      init: {
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ ...request, stream: true }),
      },
    }
  }
  // References travel as binary file parts: no base64 on the wire.
  const form = new FormData()
  for (const [name, value] of Object.entries({ ...request, stream: true })) {
    if (value !== undefined) form.append(name, String(value))
  }
  references.forEach((reference, index) => {
    const extension = reference.mimeType.split('/')[1]
    form.append(
      'references',
      new Blob([reference.bytes as BlobPart], { type: reference.mimeType }),
      `reference-${index + 1}.${extension}`,
    )
  })
  if (mask) form.append('mask', new Blob([mask as BlobPart], { type: 'image/png' }), 'mask.png')
  return { path: '/v1/images/edit', init: { body: form } }
}

export interface StreamCallbacks {
  /** The worker's id for the request (its X-Request-Id), as soon as the answer starts. */
  onStarted(requestId: string): void
  onEvent(event: StreamEvent): Promise<void> | void
}

const CONNECTION_LOST =
  'The connection closed before the images arrived. Images already being made will be in History; unused credits are refunded.'

/** A retry may find the first attempt's key still held a moment, while the service lets it go. */
const KEY_HELD_RETRIES = 3
const KEY_HELD_WAIT_MS = 1000

/** Whether a request failed on the way (no answer, or an answer cut off), not at the service. */
export const dropped = (error: unknown) =>
  error instanceof ApiFailure && (error.type === 'network' || error.type === 'connection_lost')

/** One attempt: resolves with the final result, or throws what ended it. */
async function attempt(
  settings: Settings,
  path: string,
  init: RequestInit,
  key: string,
  signal: AbortSignal,
  callbacks: StreamCallbacks,
): Promise<GenerationResult> {
  const response = await workerFetch(settings, path, {
    ...init,
    method: 'POST',
    signal,
    headers: {
      ...authHeaders(settings),
      ...(init.headers as Record<string, string>),
      'Idempotency-Key': key,
    },
  })
  const requestId = response.headers.get('X-Request-Id')
  if (requestId) callbacks.onStarted(requestId)
  if (!response.body)
    throw new ApiFailure(
      'upstream_malformed',
      'The Promptframe service sent an empty answer. Try again.',
    )
  const messages = readSse(response.body)
  for (;;) {
    // A connection cut off mid-answer fails the read with the browser's own error.
    const next = await messages.next().catch((error: unknown) => {
      throw isAbort(error) ? error : new ApiFailure('connection_lost', CONNECTION_LOST)
    })
    if (next.done) break
    const parsed = StreamEventSchema.safeParse(JSON.parse(next.value.data))
    if (!parsed.success) continue
    const event = parsed.data
    if (event.type === 'error') throw new ApiFailure(event.error.type, event.error.message)
    await callbacks.onEvent(event)
    if (event.type === 'done') return event.result
  }
  throw new ApiFailure('connection_lost', CONNECTION_LOST)
}

/**
 * Whether a request whose connection dropped may be sent again: only when the model cannot have
 * started it. One the service cannot be asked about counts as started: its images come to
 * History later, where a second request could pay twice.
 */
async function mayRetry(settings: Settings, requestId: string | null): Promise<boolean> {
  // No answer at all: the same Idempotency-Key keeps a repeat from running twice.
  if (!requestId) return true
  const job = await whenDecided(settings, requestId)
  if (job === null) return true
  return job !== undefined && job.state !== 'running' && !job.accepted
}

/**
 * Runs one streamed generation, handing each event on, and resolves with the final result. A
 * connection that drops before the model has started the work is tried once more with the same
 * Idempotency-Key, so a flaky network never charges twice; after the model has started, its
 * images come to History instead.
 */
export async function streamGeneration(
  settings: Settings,
  request: GenerateRequestInput,
  inputs: { references: ReferenceImageBytes[]; mask: Uint8Array | null },
  signal: AbortSignal,
  callbacks: StreamCallbacks,
): Promise<GenerationResult> {
  const { path, init } = requestBody(request, inputs.references, inputs.mask)
  const key = crypto.randomUUID()
  let requestId: string | null = null
  const tracked: StreamCallbacks = {
    ...callbacks,
    onStarted: (id) => {
      requestId = id
      callbacks.onStarted(id)
    },
  }
  let first: unknown
  try {
    return await attempt(settings, path, init, key, signal, tracked)
  } catch (error) {
    if (signal.aborted || !dropped(error) || !(await mayRetry(settings, requestId))) throw error
    first = error
  }
  for (let held = 0; ; held++) {
    try {
      return await attempt(settings, path, init, key, signal, tracked)
    } catch (error) {
      const stillHeld = error instanceof ApiFailure && error.type === 'idempotency_in_progress'
      if (stillHeld && held < KEY_HELD_RETRIES && !signal.aborted) {
        await new Promise((resolve) => setTimeout(resolve, KEY_HELD_WAIT_MS))
        continue
      }
      // Still held, or dropped again: what the designer is told is that the connection failed.
      throw stillHeld || dropped(error) ? first : error
    }
  }
}
