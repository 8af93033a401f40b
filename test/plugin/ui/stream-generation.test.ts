import { afterEach, describe, expect, it, vi } from 'vitest'
import { DEFAULT_SETTINGS } from '../../../plugin/types'
import { ApiFailure } from '../../../plugin/ui/api/api-failure'
import { streamGeneration } from '../../../plugin/ui/api/stream-generation'
import type { GenerationJob, GenerationResult, StreamEvent } from '../../../shared'

afterEach(() => {
  vi.restoreAllMocks()
})

const settings = {
  ...DEFAULT_SETTINGS,
  workerUrl: 'https://promptframe.example',
  token: 'pf_token',
}
const request = { prompt: 'a lighthouse', quality: 'low', n: 1 } as const

/** What a request's answer and its job both say of it. */
const basics = (requestId: string) => ({
  request_id: requestId,
  model: 'gpt-image-2' as const,
  provider: 'openai' as const,
  size: '1024x1024',
  quality: 'low' as const,
  requested: 1,
  images: [],
})

const result = (requestId: string): GenerationResult => ({
  ...basics(requestId),
  credits: { charged: 2, refunded: 0, balance: 98 },
  expires_at: '2026-12-03T00:00:00.000Z',
})

const job = (requestId: string, fields: Partial<GenerationJob>): GenerationJob => ({
  ...basics(requestId),
  state: 'running',
  created_at: '2026-12-02T00:00:00.000Z',
  updated_at: '2026-12-02T00:00:00.000Z',
  credits: null,
  error: null,
  accepted: false,
  client_left: true,
  ...fields,
})

const reserved: StreamEvent = {
  type: 'stage',
  stage: 'accepted',
  message: 'Reserved 2 credits',
  elapsed_ms: 3,
}

const encoded = (event: StreamEvent) =>
  new TextEncoder().encode(`event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`)

/** An answer of events; `cutOff`: the connection then fails, as a dropped network does. */
function eventStream(
  requestId: string,
  events: StreamEvent[],
  cutOff = false,
  cutAfterMs = 50,
): Response {
  let sent = 0
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (sent < events.length) return controller.enqueue(encoded(events[sent++]))
      if (!cutOff) return controller.close()
      // Later than the events before it, as a connection that fails mid-answer.
      await new Promise((resolve) => setTimeout(resolve, cutAfterMs))
      controller.error(new TypeError('network error'))
    },
  })
  return new Response(body, {
    headers: { 'Content-Type': 'text/event-stream', 'X-Request-Id': requestId },
  })
}

const errorAnswer = (status: number, type: string, message: string) =>
  Response.json({ code: status * 100, type, message }, { status })

/** The service's answer while the first request with a key still holds it. */
const held = () =>
  errorAnswer(
    409,
    'idempotency_in_progress',
    'The first request with this Idempotency-Key is still running.',
  )

/**
 * A fake service: each generation request takes the next of `attempts`, and the job of a request
 * is read from `jobs`. Records the Idempotency-Key of every generation request.
 */
function fakeService(
  attempts: (() => Response | Promise<Response>)[],
  jobs: Record<string, () => Response> = {},
) {
  const keys: (string | null)[] = []
  const jobReads: string[] = []
  vi.spyOn(globalThis, 'fetch').mockImplementation(async (input, init) => {
    const url = new URL(String(input))
    if (init?.method === 'POST' && url.pathname === '/v1/images/generate') {
      keys.push(new Headers(init.headers).get('Idempotency-Key'))
      const next = attempts.shift()
      if (!next) throw new Error('more generation requests than the test expects')
      return next()
    }
    const id = url.pathname.match(/^\/v1\/generations\/(.+)$/)?.[1]
    if (id && jobs[id]) {
      jobReads.push(id)
      return jobs[id]()
    }
    throw new Error(`unexpected request ${url.pathname}`)
  })
  return { keys, jobReads }
}

const run = (signal = new AbortController().signal) => {
  const started: string[] = []
  const events: string[] = []
  const done = streamGeneration(settings, request, { references: [], mask: null }, signal, {
    onStarted: (id) => started.push(id),
    onEvent: (event) => {
      events.push(event.type)
    },
  })
  return { done, started, events }
}

async function failureOf(promise: Promise<unknown>): Promise<ApiFailure> {
  const error = await promise.then(
    () => null,
    (caught: unknown) => caught,
  )
  expect(error).toBeInstanceOf(ApiFailure)
  return error as ApiFailure
}

describe('a streamed generation whose connection drops', () => {
  it('is tried once more with the same Idempotency-Key when the model had not started it', async () => {
    const service = fakeService(
      [
        () => eventStream('req_first', [reserved], true),
        () => eventStream('req_second', [reserved, { type: 'done', result: result('req_second') }]),
      ],
      {
        req_first: () =>
          Response.json({
            code: 0,
            message: 'ok',
            data: job('req_first', { state: 'failed', credits: { charged: 0, refunded: 2 } }),
          }),
      },
    )
    const { done, started } = run()
    expect((await done).request_id).toBe('req_second')
    expect(service.keys).toHaveLength(2)
    expect(service.keys[0]).toBeTruthy()
    expect(service.keys[1]).toBe(service.keys[0])
    expect(service.jobReads).toContain('req_first')
    expect(started).toEqual(['req_first', 'req_second'])
  })

  it('is not sent again once the model had started it: it fails as a lost connection, for History to follow', async () => {
    const service = fakeService([() => eventStream('req_started', [reserved], true)], {
      req_started: () =>
        Response.json({ code: 0, message: 'ok', data: job('req_started', { accepted: true }) }),
    })
    const failure = await failureOf(run().done)
    expect(failure.type).toBe('connection_lost')
    expect(failure.message).toContain('will be in History')
    expect(service.keys).toHaveLength(1)
  })

  it('is not sent again when the service cannot be asked what became of it', async () => {
    const service = fakeService([() => eventStream('req_unknown', [reserved], true)], {
      req_unknown: () => {
        throw new TypeError('Failed to fetch')
      },
    })
    const failure = await failureOf(run().done)
    expect(failure.type).toBe('connection_lost')
    expect(service.keys).toHaveLength(1)
  })

  it('waits while the first attempt still holds its key, then runs once', async () => {
    const service = fakeService(
      [
        () => {
          throw new TypeError('Failed to fetch')
        },
        held,
        () => eventStream('req_after', [reserved, { type: 'done', result: result('req_after') }]),
      ],
      {},
    )
    const { done } = run()
    expect((await done).request_id).toBe('req_after')
    expect(new Set(service.keys).size).toBe(1)
    expect(service.keys).toHaveLength(3)
  })

  it('says the connection failed, not that a key is in use, when the key stays held', async () => {
    fakeService([() => eventStream('req_held', [reserved], true), held, held, held, held], {
      req_held: () => errorAnswer(404, 'not_found', 'You have no generation with this id.'),
    })
    const failure = await failureOf(run().done)
    expect(failure.type).toBe('connection_lost')
  })

  it('is not sent again when the designer cancelled', async () => {
    const controller = new AbortController()
    // The service would allow a retry (the job ended unaccepted): only the cancel stops it.
    const service = fakeService([() => eventStream('req_cancelled', [reserved], true, 500)], {
      req_cancelled: () =>
        Response.json({
          code: 0,
          message: 'ok',
          data: job('req_cancelled', { state: 'failed', credits: { charged: 0, refunded: 2 } }),
        }),
    })
    const { done, events } = run(controller.signal)
    await vi.waitFor(() => expect(events).toContain('stage'), { interval: 5 })
    // Cancelled before the connection fails.
    controller.abort()
    await expect(done).rejects.toThrow()
    expect(service.keys).toHaveLength(1)
  })
})
