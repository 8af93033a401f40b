import { createExecutionContext, env, waitOnExecutionContext } from 'cloudflare:test'
import { EventSourceParserStream } from 'eventsource-parser/stream'
import { afterEach, expect, vi } from 'vitest'
import type { Env } from '../../proxy-worker/src/env'
import app from '../../proxy-worker/src/index'
import {
  AdminUserResponseSchema,
  CreatedUserResponseSchema,
  ErrorBodySchema,
  GenerateResponseSchema,
  type LedgerEntry,
} from '../../shared'

export const ADMIN_TOKEN = 'test-admin-token-that-is-long-enough-to-use'
export const ORIGIN = 'https://worker.test'
/** Configuration that sends image requests to the OpenAI provider, at the faked base URL. */
export const OPENAI = { OPENAI_API_KEY: 'sk-test-key', OPENAI_BASE_URL: 'https://openai.fake/v1' }

const baseEnv = env as unknown as Env
/** Checks a 503 storage_unavailable answer whose message says each of `phrases`. */
export async function expectStorageError(response: Response, ...phrases: string[]) {
  expect(response.status).toBe(503)
  const body = ErrorBodySchema.parse(await response.json())
  expect(body.type).toBe('storage_unavailable')
  for (const phrase of phrases) expect(body.message).toContain(phrase)
}

/** The real local KV namespace the worker uses. */
export const store = baseEnv.STORE

/** The real local KV, with some of its methods replaced, to pass as the worker's STORE. */
export function storeWith(
  replaced: Partial<Record<'get' | 'put', (key: string, ...rest: never[]) => unknown>>,
): KVNamespace {
  return new Proxy(store, {
    get(target, property) {
      const own = replaced[property as 'get' | 'put']
      return own ?? Reflect.get(target, property, target).bind(target)
    },
  })
}

/** The real account objects, with one method of each failing as a storage outage would. */
export function accountsFailing(
  method: 'settle' | 'accepted' | 'follow' | 'clientLeft',
): Env['ACCOUNTS'] {
  return new Proxy(baseEnv.ACCOUNTS, {
    get: (target, property) =>
      property === 'get'
        ? (id: DurableObjectId) =>
            new Proxy(target.get(id), {
              get: (stub, name) =>
                name === method
                  ? () => Promise.reject(new Error('object unavailable'))
                  : Reflect.get(stub, name),
            })
        : Reflect.get(target, property, target).bind(target),
  })
}

/**
 * Sends a request to the real worker app inside workerd, with real local KV, and configuration
 * overrides for this one call. `settled` resolves when all its waitUntil work is done.
 */
export async function startWorker(
  path: string,
  init: RequestInit = {},
  overrides: Partial<Env> = {},
): Promise<{ response: Response; settled: Promise<void> }> {
  const ctx = createExecutionContext()
  const response = await app.fetch(
    new Request(`${ORIGIN}${path}`, init),
    { ...baseEnv, ...overrides },
    ctx,
  )
  return { response, settled: waitOnExecutionContext(ctx) }
}

export async function callWorker(
  path: string,
  init: RequestInit = {},
  overrides: Partial<Env> = {},
) {
  const { response, settled } = await startWorker(path, init, overrides)
  const body = await response.arrayBuffer()
  await settled
  // A 204 or 304 has no body at all, not an empty one.
  const bodiless = response.status === 204 || response.status === 304
  return new Response(bodiless ? null : body, {
    status: response.status,
    headers: response.headers,
  })
}

export async function createTestUser(credits = 100, name = 'Test designer') {
  const response = await callWorker('/admin/users', {
    method: 'POST',
    headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ name, credits }),
  })
  const { data } = CreatedUserResponseSchema.parse(await response.json())
  return data
}

export function jsonRequest(
  token: string | null,
  body: unknown,
  extraHeaders: Record<string, string> = {},
): RequestInit {
  return {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json',
      ...(token ? { Authorization: `Bearer ${token}` } : {}),
      ...extraHeaders,
    },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  }
}

export async function balanceOf(token: string): Promise<number> {
  const response = await callWorker('/v1/account', {
    headers: { Authorization: `Bearer ${token}` },
  })
  const body = (await response.json()) as { data: { balance: number } }
  return body.data.balance
}

/** A user's balance and whole ledger, gathered page by page as an admin would. */
export async function ledgerOf(userId: string) {
  const ledger: LedgerEntry[] = []
  let before: number | undefined
  for (;;) {
    const query = before === undefined ? '' : `?before=${before}`
    const response = await callWorker(`/admin/users/${userId}${query}`, {
      headers: { Authorization: `Bearer ${ADMIN_TOKEN}` },
    })
    const { data } = AdminUserResponseSchema.parse(await response.json())
    ledger.unshift(...data.ledger)
    if (data.ledger_from === 0) return { balance: data.balance, ledger, total: data.ledger_total }
    before = data.ledger_from
  }
}

export async function generate(
  token: string,
  body: unknown,
  overrides: Partial<Env> = {},
  headers: Record<string, string> = {},
) {
  const response = await callWorker(
    '/v1/images/generate',
    jsonRequest(token, body, headers),
    overrides,
  )
  return response
}

export async function generateOk(token: string, body: unknown, overrides: Partial<Env> = {}) {
  const response = await generate(token, body, overrides)
  if (response.status !== 200)
    throw new Error(`expected 200, got ${response.status}: ${await response.text()}`)
  return GenerateResponseSchema.parse(await response.json()).data
}

export interface ParsedSseEvent {
  event: string
  data: unknown
}

/**
 * Reads a whole event stream, framed by the same parser the plugin uses: named events with JSON
 * data, and how many keep-alive comments came.
 */
export async function readEventStream(
  response: Response,
): Promise<{ events: ParsedSseEvent[]; comments: number }> {
  const events: ParsedSseEvent[] = []
  let comments = 0
  const reader = response
    .body!.pipeThrough(new TextDecoderStream())
    .pipeThrough(new EventSourceParserStream({ onComment: () => comments++ }))
    .getReader()
  for (;;) {
    const { value, done } = await reader.read()
    if (done) return { events, comments }
    events.push({ event: value.event ?? 'message', data: JSON.parse(value.data) })
  }
}

/**
 * Sends the worker's outbound fetch to a fake upstream for the current test (the worker runs in the
 * test's isolate, so the spy reaches it); undone after each test.
 */
/** Routes the worker's outbound fetch to a fake upstream; `onCall` hears of each call as it starts. */
export function useFakeUpstream<
  Fake extends { handler: (input: RequestInfo | URL, init?: RequestInit) => Promise<Response> },
>(fake: Fake, onCall?: () => void): Fake {
  vi.spyOn(globalThis, 'fetch').mockImplementation((input, init) => {
    onCall?.()
    return fake.handler(input, init)
  })
  return fake
}

afterEach(() => {
  vi.restoreAllMocks()
})
