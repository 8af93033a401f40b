import { createExecutionContext, env, waitOnExecutionContext } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import type { Env } from '../../proxy-worker/src/env'
import app from '../../proxy-worker/src/index'
import { ErrorBodySchema, StreamEventSchema } from '../../shared'
import { fakeOpenAi, type OpenAiBehaviour } from './fakes/fake-openai'
import { contractErrors } from './fakes/openai-contract'
import { solidPng } from './fixtures/tiny-images'
import {
  balanceOf,
  callWorker,
  createTestUser,
  generate,
  generateOk,
  jsonRequest,
  ledgerOf,
  OPENAI,
  ORIGIN,
  readEventStream,
  startWorker,
  useFakeUpstream,
} from './worker-client'

const useFakeOpenAi = (behaviour?: OpenAiBehaviour) => useFakeUpstream(fakeOpenAi(behaviour))

describe('the openai provider', () => {
  it('sends a spec-conforming generations request with the key and a computed size', async () => {
    const fake = useFakeOpenAi()
    const user = await createTestUser(100)
    const data = await generateOk(
      user.token,
      { prompt: 'hero image', size: '21:9', quality: 'high', n: 2, background: 'opaque' },
      OPENAI,
    )
    expect(fake.calls).toHaveLength(1)
    const [call] = fake.calls
    expect(call.url).toBe('https://openai.fake/v1/images/generations')
    expect(call.headers.get('authorization')).toBe('Bearer sk-test-key')
    expect(call.contractErrors).toEqual([])
    expect(call.body).toMatchObject({
      model: 'gpt-image-2',
      size: '2384x1024',
      quality: 'high',
      n: 2,
      background: 'opaque',
    })
    const [width, height] = (call.body.size as string).split('x').map(Number)
    expect(width % 16).toBe(0)
    expect(height % 16).toBe(0)
    expect(data).toMatchObject({ provider: 'openai', size: '2384x1024' })
    expect(data.images.map((image) => [image.width, image.height, image.preview])).toEqual([
      [2384, 1024, false],
      [2384, 1024, false],
    ])
    expect(data.credits).toEqual({ charged: 24, refunded: 0, balance: 76 })
  })

  it('never sends the upstream key to the client', async () => {
    useFakeOpenAi()
    const user = await createTestUser(100)
    const response = await generate(user.token, { prompt: 'secret check', quality: 'low' }, OPENAI)
    expect(await response.text()).not.toContain('sk-test-key')
    const catalog = await callWorker('/v1/models', {}, OPENAI)
    expect(await catalog.text()).not.toContain('sk-test-key')
  })

  it('sends references to the edits endpoint as multipart image[] file parts that conform to the spec', async () => {
    const fake = useFakeOpenAi()
    const user = await createTestUser(100)
    const form = new FormData()
    form.append('prompt', 'restyle as watercolour')
    form.append('size', '4:3')
    form.append('quality', 'low')
    form.append(
      'references',
      new Blob([await solidPng(40, 30)], { type: 'image/png' }),
      'frame.png',
    )
    form.append(
      'references',
      new Blob([await solidPng(30, 40)], { type: 'image/png' }),
      'frame-2.png',
    )
    const response = await callWorker(
      '/v1/images/edit',
      { method: 'POST', headers: { Authorization: `Bearer ${user.token}` }, body: form },
      OPENAI,
    )
    expect(response.status).toBe(200)
    const [call] = fake.calls
    expect(call.path).toBe('/images/edits')
    expect(call.contractErrors).toEqual([])
    expect(call.body.image).toHaveLength(2)
    expect(call.body).toMatchObject({
      model: 'gpt-image-2',
      size: '1360x1024',
      quality: 'low',
      n: 1,
    })
  })

  it('streams partial previews from OpenAI, one upstream stream per image', async () => {
    const fake = useFakeOpenAi()
    const user = await createTestUser(100)
    const { response, settled } = await startWorker(
      '/v1/images/generate',
      jsonRequest(user.token, { prompt: 'stream me', n: 2, quality: 'low', stream: true }),
      OPENAI,
    )
    const { events } = await readEventStream(response)
    await settled
    expect(fake.calls).toHaveLength(2)
    for (const call of fake.calls) {
      expect(call.body).toMatchObject({ stream: true, partial_images: 2, n: 1 })
      expect(call.contractErrors).toEqual([])
    }
    const parsed = events.map((event) => StreamEventSchema.parse(event.data))
    expect(parsed.filter((event) => event.type === 'partial')).toHaveLength(4)
    expect(parsed.filter((event) => event.type === 'image')).toHaveLength(2)
    expect(parsed.at(-1)?.type).toBe('done')
  })

  it("answers the fake's own responses in OpenAI's ImagesResponse shape", async () => {
    const fake = fakeOpenAi()
    const response = await fake.handler('https://openai.fake/v1/images/generations', {
      method: 'POST',
      body: JSON.stringify({
        model: 'gpt-image-2',
        prompt: 'x',
        size: '1024x1024',
        quality: 'low',
      }),
    })
    expect(contractErrors('ImagesResponse', await response.json())).toEqual([])
  })
})

describe('refunds for every way an upstream call can fail', () => {
  const failures: [string, OpenAiBehaviour, number, string][] = [
    [
      'a content-policy block',
      {
        kind: 'error',
        status: 400,
        code: 'moderation_blocked',
        message: 'Your request was rejected by the safety system.',
      },
      400,
      'content_policy',
    ],
    [
      'a rate limit',
      {
        kind: 'error',
        status: 429,
        code: 'rate_limit_exceeded',
        message: 'Rate limit reached',
        type: 'requests',
      },
      429,
      'rate_limited',
    ],
    [
      'an exhausted upstream quota',
      {
        kind: 'error',
        status: 429,
        code: 'insufficient_quota',
        message: 'You exceeded your current quota',
        type: 'insufficient_quota',
      },
      503,
      'upstream_quota',
    ],
    [
      'an upstream server error',
      {
        kind: 'error',
        status: 500,
        code: null,
        message: 'The server had an error',
        type: 'server_error',
      },
      502,
      'upstream_error',
    ],
    ['a malformed answer', { kind: 'malformed' }, 502, 'upstream_malformed'],
  ]

  for (const [name, behaviour, status, type] of failures) {
    it(`refunds everything after ${name} and says what to do`, async () => {
      useFakeOpenAi(behaviour)
      const user = await createTestUser(100)
      const response = await generate(
        user.token,
        { prompt: 'refund me', quality: 'high', n: 2 },
        OPENAI,
      )
      expect(response.status).toBe(status)
      const body = ErrorBodySchema.parse(await response.json())
      expect(body.type).toBe(type)
      expect(body.message).toMatch(/refunded/)
      expect(await balanceOf(user.token)).toBe(100)
      const ledger = await ledgerOf(user.user_id)
      expect(ledger.ledger.map((entry) => entry.delta)).toEqual([100, -24, 24])
      expect(ledger.ledger.reduce((sum, entry) => sum + entry.delta, 0)).toBe(ledger.balance)
    })
  }

  it('refunds after a timeout', async () => {
    useFakeOpenAi({ kind: 'hang' })
    const user = await createTestUser(100)
    const response = await generate(
      user.token,
      { prompt: 'too slow', quality: 'medium' },
      { ...OPENAI, UPSTREAM_TIMEOUT_MS: '200' },
    )
    expect(response.status).toBe(504)
    expect(await response.json()).toMatchObject({ type: 'upstream_timeout' })
    expect(await balanceOf(user.token)).toBe(100)
  })

  it('refunds the missing images when the upstream delivers fewer than asked', async () => {
    useFakeOpenAi({ kind: 'images', count: 1 })
    const user = await createTestUser(100)
    const data = await generateOk(
      user.token,
      { prompt: 'three please', quality: 'medium', n: 3 },
      OPENAI,
    )
    expect(data.images).toHaveLength(1)
    expect(data.credits).toEqual({ charged: 6, refunded: 12, balance: 94 })
    expect(await balanceOf(user.token)).toBe(94)
  })

  it('keeps the good images and refunds one that is not an image', async () => {
    useFakeOpenAi({ kind: 'images', corruptIndex: 1 })
    const user = await createTestUser(100)
    const data = await generateOk(
      user.token,
      { prompt: 'one bad apple', quality: 'medium', n: 2 },
      OPENAI,
    )
    expect(data.images.map((image) => image.index)).toEqual([0])
    expect(data.credits).toEqual({ charged: 6, refunded: 6, balance: 94 })
  })

  it('refunds when the client cancels a streamed generation, and aborts the upstream call', async () => {
    const fake = useFakeOpenAi({ kind: 'hang' })
    const user = await createTestUser(100)
    const { response, settled } = await startWorker(
      '/v1/images/generate',
      jsonRequest(user.token, { prompt: 'cancel me', quality: 'high', stream: true }),
      OPENAI,
    )
    const reader = response.body!.getReader()
    await reader.read()
    while (fake.calls.length === 0) await new Promise((resolve) => setTimeout(resolve, 5))
    await reader.cancel()
    await settled
    expect(await balanceOf(user.token)).toBe(100)
    const ledger = await ledgerOf(user.user_id)
    expect(ledger.ledger.at(-1)).toMatchObject({ delta: 12 })
  })

  it('never retries an upstream call that may have been billed', async () => {
    const fake = useFakeOpenAi({
      kind: 'error',
      status: 500,
      code: null,
      message: 'boom',
      type: 'server_error',
    })
    const user = await createTestUser(100)
    await generate(user.token, { prompt: 'once only', quality: 'low' }, OPENAI)
    expect(fake.calls).toHaveLength(1)
  })
})

describe('client disconnects', () => {
  it('aborts the upstream call and refunds when a non-streaming client goes away', async () => {
    const fake = useFakeOpenAi({ kind: 'hang' })
    const user = await createTestUser(100)
    const client = new AbortController()
    const ctx = createExecutionContext()
    const request = new Request(`${ORIGIN}/v1/images/generate`, {
      ...jsonRequest(user.token, { prompt: 'leaving early', quality: 'high' }),
      signal: client.signal,
    })
    const answer = app.fetch(request, { ...(env as unknown as Env), ...OPENAI }, ctx)
    while (fake.calls.length === 0) await new Promise((resolve) => setTimeout(resolve, 5))
    expect(await balanceOf(user.token)).toBe(88)
    client.abort()
    const response = await answer
    await waitOnExecutionContext(ctx)
    expect(response.status).toBe(499)
    expect(await balanceOf(user.token)).toBe(100)
  })
})
