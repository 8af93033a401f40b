import { env } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import { accountOf } from '../../proxy-worker/src/accounts/account-store'
import { sha256Hex } from '../../proxy-worker/src/accounts/token-hash'
import type { Env } from '../../proxy-worker/src/env'
import { claimIdempotencyKey } from '../../proxy-worker/src/generation/idempotency'
import { requestFingerprint } from '../../proxy-worker/src/generation/respond-with-generation'
import { NO_INPUTS } from '../../proxy-worker/src/providers/image-provider'
import { GenerateRequestSchema, type GenerationResult } from '../../shared'
import { balanceOf, createTestUser, generate, jsonRequest, startWorker } from './worker-client'

const workerEnv = env as unknown as Env
const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

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
    // What a request claims for its key before its isolate is gone.
    await claimIdempotencyKey(
      env as unknown as Env,
      user.user_id,
      { tokenHash: await sha256Hex(user.token), now: Date.now() },
      'key-orphan',
      fingerprint,
      Date.now() + 300,
    )
    const meanwhile = await generate(user.token, body, {}, { 'Idempotency-Key': 'key-orphan' })
    expect(meanwhile.status).toBe(409)
    await new Promise((resolve) => setTimeout(resolve, 350))
    const retried = await generate(user.token, body, {}, { 'Idempotency-Key': 'key-orphan' })
    expect(retried.status).toBe(200)
    expect(await balanceOf(user.token)).toBe(98)
  })

  it('lets a request end only its own claim: not one taken over after its time ran out', async () => {
    const user = await createTestUser(100)
    const body = { prompt: 'taken over', quality: 'low' }
    const claim = async (until: number) =>
      claimIdempotencyKey(
        workerEnv,
        user.user_id,
        { tokenHash: await sha256Hex(user.token), now: Date.now() },
        'key-taken',
        await requestFingerprint(GenerateRequestSchema.parse(body), NO_INPUTS),
        until,
      )
    const stale = await claim(Date.now() + 100)
    await wait(150)
    const current = await claim(Date.now() + 60_000)
    // The first request comes back late: neither its result nor its failure is the key's now.
    await stale.finish({} as GenerationResult)
    await stale.abandon(crypto.randomUUID())
    const repeat = await generate(user.token, body, {}, { 'Idempotency-Key': 'key-taken' })
    expect(repeat.status).toBe(409)
    await current.abandon(crypto.randomUUID())
    const after = await generate(user.token, body, {}, { 'Idempotency-Key': 'key-taken' })
    expect(after.status).toBe(200)
  })

  /** A key whose job was handed to the account object; the answer never reached the request. */
  async function handedOver(key: string, body: { prompt: string; quality: string }) {
    const user = await createTestUser(100)
    const access = { tokenHash: await sha256Hex(user.token), now: Date.now() }
    const until = Date.now() + 60_000
    const slot = await claimIdempotencyKey(
      workerEnv,
      user.user_id,
      access,
      key,
      await requestFingerprint(GenerateRequestSchema.parse(body), NO_INPUTS),
      until,
    )
    const account = accountOf(workerEnv, user.user_id)
    const requestId = crypto.randomUUID()
    await account.reserve(user.user_id, access, {
      requestId,
      credits: 2,
      price: 2,
      until,
      reason: 'generate gpt-image-2 low x1',
      model: 'gpt-image-2',
      provider: 'kie',
      size: '1024x1024',
      quality: 'low',
      requested: 1,
      limit: 8,
    })
    // The hand-over committed, but its answer never reached the request, which then failed.
    const followed = await account.follow(
      user.user_id,
      requestId,
      [{ index: 0, taskId: 'task-followed' }],
      {
        kie: { baseUrl: 'https://kie.fake', pollIntervalMs: 600_000, resultHosts: [] },
        imageBaseUrl: 'https://worker.test/v1/images',
        imageTtlSeconds: 3600,
      },
      'kie-test-key',
      { giveUpAt: until, keyHash: slot.keyHash },
    )
    expect(followed).toBe(true)
    return { user, slot, account, requestId }
  }

  it('leaves a key whose job the object follows taken when the request fails, until the job ends', async () => {
    const body = { prompt: 'handed over', quality: 'low' }
    const { user, slot, account, requestId } = await handedOver('key-followed', body)
    await slot.abandon(requestId)
    const repeat = await generate(user.token, body, {}, { 'Idempotency-Key': 'key-followed' })
    expect(repeat.status).toBe(409)
    // Once its job has ended with nothing made, the request that failed frees the key after all.
    await account.settle(user.user_id, requestId, { state: 'failed', refundReason: 'test' })
    await slot.abandon(requestId)
    const retried = await generate(user.token, body, {}, { 'Idempotency-Key': 'key-followed' })
    expect(retried.status).toBe(200)
  })

  it('lets a request that carried its handed-over job to the end finish the key with its result', async () => {
    const body = { prompt: 'carried on', quality: 'low' }
    const { user, slot, requestId } = await handedOver('key-carried', body)
    await slot.finish({ request_id: requestId } as GenerationResult)
    const repeat = await generate(user.token, body, {}, { 'Idempotency-Key': 'key-carried' })
    expect(repeat.status).toBe(200)
    expect(((await repeat.json()) as { data: { request_id: string } }).data.request_id).toBe(
      requestId,
    )
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
