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

/** Runs one streamed generation, handing each event on, and resolves with the final result. */
export async function streamGeneration(
  settings: Settings,
  request: GenerateRequestInput,
  inputs: { references: ReferenceImageBytes[]; mask: Uint8Array | null },
  signal: AbortSignal,
  onEvent: (event: StreamEvent) => Promise<void> | void,
): Promise<GenerationResult> {
  const { path, init } = requestBody(request, inputs.references, inputs.mask)
  const response = await workerFetch(settings, path, {
    ...init,
    method: 'POST',
    signal,
    headers: {
      ...authHeaders(settings),
      ...(init.headers as Record<string, string>),
      'Idempotency-Key': crypto.randomUUID(),
    },
  })
  if (!response.body)
    throw new ApiFailure(
      'upstream_malformed',
      'The Promptframe service sent an empty answer. Try again.',
    )
  for await (const message of readSse(response.body)) {
    const parsed = StreamEventSchema.safeParse(JSON.parse(message.data))
    if (!parsed.success) continue
    const event = parsed.data
    if (event.type === 'error') throw new ApiFailure(event.error.type, event.error.message)
    await onEvent(event)
    if (event.type === 'done') return event.result
  }
  throw new ApiFailure(
    'network',
    'The connection closed before the images arrived. Unused credits are refunded; try again.',
  )
}
