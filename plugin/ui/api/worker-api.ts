import {
  AccountResponseSchema,
  CatalogResponseSchema,
  EnhanceResponseSchema,
  ErrorBodySchema,
  GenerationJobResponseSchema,
} from '../../../shared'
import type { Settings } from '../../types'
import { assertReachable, blockedAddressMessage, wasBlockedByFigma } from './address-check'
import { ApiFailure, isAbort, NOT_CONFIGURED, networkMessage } from './api-failure'

export function endpoint(settings: Settings, path: string): string {
  return `${settings.workerUrl.replace(/\/+$/, '')}${path}`
}

export function authHeaders(settings: Settings): Record<string, string> {
  if (!settings.token.trim()) throw new ApiFailure('not_configured', NOT_CONFIGURED)
  return { Authorization: `Bearer ${settings.token.trim()}` }
}

/** fetch, with an address Figma would block and a network failure each told apart. */
async function guardedFetch(settings: Settings, url: string, init?: RequestInit) {
  assertReachable(url)
  try {
    return await fetch(url, init)
  } catch (error) {
    if (isAbort(error)) throw error
    if (await wasBlockedByFigma(url))
      throw new ApiFailure('blocked_address', blockedAddressMessage(url))
    throw new ApiFailure('network', networkMessage(settings.workerUrl))
  }
}

/** fetch with network failures and the worker's error body turned into an ApiFailure. */
export async function workerFetch(
  settings: Settings,
  path: string,
  init: RequestInit = {},
): Promise<Response> {
  const response = await guardedFetch(settings, endpoint(settings, path), init)
  if (response.ok) return response
  const json = await response.json().catch(() => null)
  const body = ErrorBodySchema.safeParse(json)
  if (body.success) throw new ApiFailure(body.data.type, body.data.message)
  // A newer service may answer with an error type this copy of the plugin does not know yet: its
  // message is still written for the designer.
  const message = (json as { message?: unknown } | null)?.message
  if (typeof message === 'string' && message) throw new ApiFailure('http', message)
  throw new ApiFailure(
    'http',
    `The Promptframe service answered with an error (${response.status}). Try again in a moment.`,
  )
}

export async function fetchCatalog(settings: Settings) {
  const response = await workerFetch(settings, '/v1/models')
  return CatalogResponseSchema.parse(await response.json()).data.models
}

export async function fetchAccount(settings: Settings) {
  const response = await workerFetch(settings, '/v1/account', { headers: authHeaders(settings) })
  return AccountResponseSchema.parse(await response.json()).data
}

/** A generation's state and images, as its owner sees them after a cancel or a dropped connection. */
export async function fetchGeneration(settings: Settings, requestId: string) {
  const response = await workerFetch(settings, `/v1/generations/${requestId}`, {
    headers: authHeaders(settings),
  })
  return GenerationJobResponseSchema.parse(await response.json()).data
}

export async function enhancePrompt(settings: Settings, prompt: string) {
  const response = await workerFetch(settings, '/v1/prompts/enhance', {
    method: 'POST',
    headers: { ...authHeaders(settings), 'Content-Type': 'application/json' },
    body: JSON.stringify({ prompt }),
  })
  return EnhanceResponseSchema.parse(await response.json()).data
}

export async function downloadImage(settings: Settings, url: string): Promise<Uint8Array> {
  const response = await guardedFetch(settings, url)
  if (!response.ok)
    throw new ApiFailure(
      'not_found',
      'A finished image could not be downloaded. Generate it again.',
    )
  return new Uint8Array(await response.arrayBuffer())
}
