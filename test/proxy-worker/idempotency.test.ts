import { describe, expect, it, vi } from 'vitest'
import { claimIdempotencyKey } from '../../proxy-worker/src/generation/idempotency'
import { requestFingerprint } from '../../proxy-worker/src/generation/respond-with-generation'
import { NO_INPUTS } from '../../proxy-worker/src/providers/image-provider'
import { GenerateRequestSchema } from '../../shared'
import { fakeOpenAi } from './fakes/fake-openai'
import {
  balanceOf,
  createTestUser,
  expectStorageError,
  generate,
  jsonRequest,
  ledgerOf,
  OPENAI,
  startWorker,
  store,
  storeWith,
  useFakeUpstream,
} from './worker-client'

/** The real local KV, except that Idempotency-Key records take `delayMs` to write (or fail). */
function storeWithSlowKeyRecords(delayMs: number, log: string[], fail = false): KVNamespace {
  return storeWith({
    put: async (key: string, value: string, ...rest: never[]) => {
      if (!key.startsWith('idem:')) return store.put(key, value, ...rest)
      await new Promise((resolve) => setTimeout(resolve, delayMs))
      if (fail) throw new Error('KV PUT failed: 500 Internal Server Error')
      await store.put(key, value, ...rest)
      log.push(`key ${JSON.parse(value).state}`)
    },
  })
}

describe('Idempotency-Key', () => {
  it('returns the first result again for the same key and body, and charges once', async () => {
    const user = await createTestUser(100)
    const body = { prompt: 'same again', quality: 'medium', n: 2 }
    const first = await generate(user.token, body, {}, { 'Idempotency-Key': 'key-1' })
    const second = await generate(user.token, body, {}, { 'Idempotency-Key': 'key-1' })
    expect(first.status).toBe(200)
    expect(second.status).toBe(200)
    expect(await second.json()).toEqual(await first.json())
    expect(await balanceOf(user.token)).toBe(88)
  })

  it('refuses the same key with a different body with 422 and charges nothing', async () => {
    const user = await createTestUser(100)
    await generate(
      user.token,
      { prompt: 'first body', quality: 'low' },
      {},
      { 'Idempotency-Key': 'key-2' },
    )
    const response = await generate(
      user.token,
      { prompt: 'other body', quality: 'low' },
      {},
      { 'Idempotency-Key': 'key-2' },
    )
    expect(response.status).toBe(422)
    expect(await response.json()).toMatchObject({ type: 'idempotency_mismatch' })
    expect(await balanceOf(user.token)).toBe(98)
  })

  it('answers 409 while the first request with the key is still running', async () => {
    const user = await createTestUser(100)
    const body = { prompt: 'slow one', quality: 'low', stream: true }
    const first = await startWorker(
      '/v1/images/generate',
      jsonRequest(user.token, body, { 'Idempotency-Key': 'key-3' }),
      { PREVIEW_DELAY_MS: '600' },
    )
    const second = await generate(
      user.token,
      { ...body, stream: false },
      { PREVIEW_DELAY_MS: '600' },
      { 'Idempotency-Key': 'key-3' },
    )
    expect(second.status).toBe(409)
    expect(await second.json()).toMatchObject({ type: 'idempotency_in_progress' })
    await first.response.text()
    await first.settled
    expect(await balanceOf(user.token)).toBe(98)
  })

  it('frees the key of a request that stopped without finishing, once its time is up', async () => {
    const user = await createTestUser(100)
    const body = { prompt: 'orphan', quality: 'low' }
    const fingerprint = await requestFingerprint(GenerateRequestSchema.parse(body), NO_INPUTS)
    // What a request saves for its key before its isolate is gone.
    const orphan = await claimIdempotencyKey(
      store,
      user.user_id,
      'key-orphan',
      fingerprint,
      Date.now() + 1000,
    )
    await orphan.claimed
    const meanwhile = await generate(user.token, body, {}, { 'Idempotency-Key': 'key-orphan' })
    expect(meanwhile.status).toBe(409)
    vi.useFakeTimers({ toFake: ['Date'] })
    vi.setSystemTime(Date.now() + 1001)
    try {
      const retried = await generate(user.token, body, {}, { 'Idempotency-Key': 'key-orphan' })
      expect(retried.status).toBe(200)
    } finally {
      vi.useRealTimers()
    }
    expect(await balanceOf(user.token)).toBe(98)
  })

  it('keeps keys apart between users', async () => {
    const [a, b] = [await createTestUser(100), await createTestUser(100)]
    await generate(a.token, { prompt: 'mine', quality: 'low' }, {}, { 'Idempotency-Key': 'shared' })
    const response = await generate(
      b.token,
      { prompt: 'yours', quality: 'low' },
      {},
      { 'Idempotency-Key': 'shared' },
    )
    expect(response.status).toBe(200)
  })
})

describe('Idempotency-Key records', () => {
  it('are written while the generation runs and after it answers, without delaying it', async () => {
    const log: string[] = []
    const fake = useFakeUpstream(fakeOpenAi({ kind: 'images', delayMs: 10 }), () =>
      log.push('upstream called'),
    )
    const user = await createTestUser(20)
    const overrides = { ...OPENAI, STORE: storeWithSlowKeyRecords(40, log) }
    const body = { prompt: 'keyed', quality: 'low' }
    const first = await startWorker(
      '/v1/images/generate',
      jsonRequest(user.token, body, { 'Idempotency-Key': 'overlap' }),
      overrides,
    )
    expect(first.response.status).toBe(200)
    const answer = await first.response.json()
    log.push('answered')
    await first.settled
    // The image waits for the claim to land, but not for the result to be recorded.
    expect(log).toEqual(['upstream called', 'key running', 'answered', 'key done'])
    const again = await generate(user.token, body, overrides, { 'Idempotency-Key': 'overlap' })
    expect(await again.json()).toEqual(answer)
    expect(fake.calls).toHaveLength(1)
    expect(await balanceOf(user.token)).toBe(18)
  })

  it('stop the generation and charge nothing when the claim cannot be written', async () => {
    const fake = useFakeUpstream(fakeOpenAi({ kind: 'hang' }))
    const user = await createTestUser(20)
    const response = await generate(
      user.token,
      { prompt: 'unrecorded', quality: 'low' },
      { ...OPENAI, STORE: storeWithSlowKeyRecords(20, [], true) },
      { 'Idempotency-Key': 'cannot-claim' },
    )
    await expectStorageError(response, 'nothing was charged')
    expect(fake.calls).toHaveLength(1)
    expect(await balanceOf(user.token)).toBe(20)
    const ledger = await ledgerOf(user.user_id)
    expect(ledger.ledger.reduce((sum, entry) => sum + entry.delta, 0)).toBe(20)
  })
})
