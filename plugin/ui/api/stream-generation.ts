import {
  type GenerateRequestInput,
  type GenerationResult,
  readSse,
  type StreamEvent,
  StreamEventSchema,
} from '../../../shared'
import type { ReferenceImageBytes, Settings } from '../../types'
import { ApiFailure } from './api-failure'
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

/** One attempt; `received` says whether any event arrived (after that, a retry could pay twice). */
async function attempt(
  settings: Settings,
  path: string,
  init: RequestInit,
  key: string,
  signal: AbortSignal,
  callbacks: StreamCallbacks,
  progress: { received: boolean },
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
  for await (const message of readSse(response.body)) {
    progress.received = true
    const parsed = StreamEventSchema.safeParse(JSON.parse(message.data))
    if (!parsed.success) continue
    const event = parsed.data
    if (event.type === 'error') throw new ApiFailure(event.error.type, event.error.message)
    await callbacks.onEvent(event)
    if (event.type === 'done') return event.result
  }
  throw new ApiFailure(
    'connection_lost',
    'The connection closed before the images arrived. Images already being made will be in History; unused credits are refunded.',
  )
}

const dropped = (error: unknown) =>
  error instanceof ApiFailure && (error.type === 'network' || error.type === 'connection_lost')

/**
 * Runs one streamed generation, handing each event on, and resolves with the final result. A
 * connection that drops before anything arrived is tried once more with the same Idempotency-Key,
 * so a flaky network never charges twice.
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
  const progress = { received: false }
  try {
    return await attempt(settings, path, init, key, signal, callbacks, progress)
  } catch (error) {
    if (signal.aborted || progress.received || !dropped(error)) throw error
    return attempt(settings, path, init, key, signal, callbacks, progress)
  }
}
