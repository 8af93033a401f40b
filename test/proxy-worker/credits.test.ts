import { env } from 'cloudflare:test'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { LEDGER_TAIL_LIMIT } from '../../proxy-worker/src/accounts/account-store'
import {
  beginCreditChange,
  changeCredits,
  releaseSettledHold,
} from '../../proxy-worker/src/accounts/credit-changes'
import { refundCredits } from '../../proxy-worker/src/credits/reserve-credits'
import type { Env, UserRecord } from '../../proxy-worker/src/env'
import { AdminUserResponseSchema, ErrorBodySchema } from '../../shared'
import { fakeOpenAi } from './fakes/fake-openai'
import {
  ADMIN_TOKEN,
  balanceOf,
  callWorker,
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

/**
 * The real local KV, except that writes of user records wait `delayMs`, and the first `refusals`
 * of them fail as production KV fails a second write to one key within a second. `log` records
 * each refused and each landed write.
 */
function storeWithSlowUserWrites(
  delayMs: number,
  refusals: number,
  log: string[] = [],
): KVNamespace {
  let refused = 0
  return storeWith({
    put: async (key: string, ...rest: [string]) => {
      if (!key.startsWith('user:')) return store.put(key, ...rest)
      await new Promise((resolve) => setTimeout(resolve, delayMs))
      if (refused < refusals) {
        refused++
        log.push('user record refused')
        throw new Error('KV PUT failed: 429 Too Many Requests')
      }
      await store.put(key, ...rest)
      log.push('user record written')
    },
  })
}

/**
 * The real local KV, refusing a write to a key that was written less than a second before, as
 * production KV does (local KV has no such limit). `landed` records each write that got through.
 */
function storeWithKvWriteLimit(landed: string[]): KVNamespace {
  const lastWrite = new Map<string, number>()
  return storeWith({
    put: async (key: string, ...rest: [string]) => {
      const now = Date.now()
      if (now - (lastWrite.get(key) ?? Number.NEGATIVE_INFINITY) < 1000) {
        throw new Error('KV PUT failed: 429 Too Many Requests')
      }
      lastWrite.set(key, now)
      await store.put(key, ...rest)
      landed.push(key)
    },
  })
}

/** The real local KV, listing in `reads` the key of every read. */
function storeCountingReads(reads: string[]): KVNamespace {
  return storeWith({
    get: (key: string, ...rest: never[]) => {
      reads.push(key)
      return (store.get as (key: string, ...rest: never[]) => unknown)(key, ...rest)
    },
  })
}

async function expectLedgerBalance(userId: string, balance: number) {
  const ledger = await ledgerOf(userId)
  expect(ledger.balance).toBe(balance)
  expect(ledger.ledger.reduce((sum, entry) => sum + entry.delta, 0)).toBe(balance)
}

describe('metering', () => {
  it('refuses with 402, the balance and the cost, when credits are short, and sends nothing upstream', async () => {
    const user = await createTestUser(10)
    const response = await generate(user.token, { prompt: 'too expensive', quality: 'high', n: 1 })
    expect(response.status).toBe(402)
    const body = ErrorBodySchema.parse(await response.json())
    expect(body.type).toBe('insufficient_credits')
    expect(body.message).toContain('12 credits')
    expect(body.message).toContain('10 credits')
    expect(await balanceOf(user.token)).toBe(10)
    expect((await ledgerOf(user.user_id)).ledger).toHaveLength(1)
  })

  it('lets exactly the affordable number of 24 concurrent requests through and never goes below zero', async () => {
    // 50 credits, 6 per request: 8 can be afforded, 16 must be refused.
    const user = await createTestUser(50)
    const responses = await Promise.all(
      Array.from({ length: 24 }, (_, i) =>
        generate(user.token, { prompt: `race ${i}`, quality: 'medium', size: '1:1' }),
      ),
    )
    const statuses = responses.map((response) => response.status)
    expect(statuses.filter((status) => status === 200)).toHaveLength(8)
    expect(statuses.filter((status) => status === 402)).toHaveLength(16)
    const ledger = await ledgerOf(user.user_id)
    expect(ledger.balance).toBe(2)
    expect(ledger.ledger.reduce((sum, entry) => sum + entry.delta, 0)).toBe(ledger.balance)
    let running = 0
    for (const entry of ledger.ledger) {
      running += entry.delta
      expect(running).toBeGreaterThanOrEqual(0)
    }
  })

  it('keeps the ledger summing to the balance through charges, refunds and grants', async () => {
    const user = await createTestUser(30)
    await generate(user.token, { prompt: 'one', quality: 'low', n: 3 })
    await generate(user.token, { prompt: 'two', quality: 'high', n: 5 })
    const ledger = await ledgerOf(user.user_id)
    expect(ledger.ledger.reduce((sum, entry) => sum + entry.delta, 0)).toBe(ledger.balance)
    expect(ledger.balance).toBe(24)
    for (const entry of ledger.ledger.slice(1)) expect(entry).toHaveProperty('request_id')
  })
})

describe('the reservation write', () => {
  it('overlaps the upstream call, which starts before the charge has landed', async () => {
    const log: string[] = []
    useFakeUpstream(fakeOpenAi({ kind: 'images', delayMs: 50 }), () => log.push('upstream called'))
    const user = await createTestUser(20)
    const response = await generate(
      user.token,
      { prompt: 'overlap', quality: 'low' },
      {
        ...OPENAI,
        STORE: storeWithSlowUserWrites(30, 0, log),
      },
    )
    expect(response.status).toBe(200)
    // The second write, after the answer, releases the request's hold on its credits.
    expect(log).toEqual(['upstream called', 'user record written', 'user record written'])
    await expectLedgerBalance(user.user_id, 18)
  })

  it("reads the user record once before answering: authentication's read stands for the charge", async () => {
    useFakeUpstream(fakeOpenAi())
    const user = await createTestUser(20)
    const reads: string[] = []
    let openGate = () => {}
    const gate = new Promise<void>((resolve) => (openGate = resolve))
    // Every read after authentication's waits at the gate, so the answer cannot depend on one.
    const gated = storeWith({
      get: async (key: string, ...rest: never[]) => {
        reads.push(key)
        if (reads.length > 1) await gate
        return (store.get as (key: string, ...rest: never[]) => unknown)(key, ...rest)
      },
    })
    const { response, settled } = await startWorker(
      '/v1/images/generate',
      jsonRequest(user.token, { prompt: 'one read', quality: 'low' }),
      { ...OPENAI, STORE: gated },
    )
    expect(response.status).toBe(200)
    await response.arrayBuffer()
    openGate()
    await settled
    // The second read releases the hold after the answer, reading afresh in case another isolate changed the record.
    expect(reads).toEqual([`user:${user.user_id}`, `user:${user.user_id}`])
    expect(await balanceOf(user.token)).toBe(18)
  })

  it('tries a refused write again a second later, as KV takes one write per key per second', async () => {
    const fake = useFakeUpstream(fakeOpenAi())
    const user = await createTestUser(20)
    const log: string[] = []
    const response = await generate(
      user.token,
      { prompt: 'busy key', quality: 'low' },
      {
        ...OPENAI,
        STORE: storeWithSlowUserWrites(0, 1, log),
      },
    )
    expect(response.status).toBe(200)
    expect(fake.calls).toHaveLength(1)
    expect(log).toEqual(['user record refused', 'user record written', 'user record written'])
    await expectLedgerBalance(user.user_id, 18)
  })

  it('stops the upstream call and charges nothing when the charge cannot be written', async () => {
    const fake = useFakeUpstream(fakeOpenAi({ kind: 'hang' }))
    const user = await createTestUser(20)
    const log: string[] = []
    const response = await generate(
      user.token,
      { prompt: 'no ledger', quality: 'low' },
      {
        ...OPENAI,
        STORE: storeWithSlowUserWrites(20, Number.POSITIVE_INFINITY, log),
      },
    )
    await expectStorageError(response, 'nothing was charged')
    expect(log).toEqual(Array(3).fill('user record refused'))
    expect(fake.calls).toHaveLength(1)
    expect(await balanceOf(user.token)).toBe(20)
    expect((await ledgerOf(user.user_id)).ledger).toHaveLength(1)
    // A later request is charged as usual.
    useFakeUpstream(fakeOpenAi())
    const next = await generate(user.token, { prompt: 'after', quality: 'low' }, OPENAI)
    expect(next.status).toBe(200)
    expect(await balanceOf(user.token)).toBe(18)
  })
})

describe('a refund that cannot be written', () => {
  it('is said plainly, and the credits come back on their own once the hold runs out', async () => {
    useFakeUpstream(
      fakeOpenAi({ kind: 'error', status: 400, code: 'moderation_blocked', message: 'Blocked.' }),
    )
    const user = await createTestUser(20)
    let landed = 0
    const refusesAfterCharge = storeWith({
      put: async (key: string, ...rest: [string]) => {
        if (key.startsWith('user:') && landed++ > 0) throw new Error('KV PUT failed: 500')
        return store.put(key, ...rest)
      },
    })
    const response = await generate(
      user.token,
      { prompt: 'blocked', quality: 'medium' },
      { ...OPENAI, STORE: refusesAfterCharge, UPSTREAM_TIMEOUT_MS: '30000' },
    )
    await expectStorageError(response, '6 credits', 'come back on their own within 3 minutes')
    await expectLedgerBalance(user.user_id, 14)
    advanceClock(3 * 60_000)
    expect(await balanceOf(user.token)).toBe(20)
    await expectLedgerBalance(user.user_id, 20)
  }, 15_000)
})

afterEach(() => {
  vi.useRealTimers()
})

/** Moves this isolate's clock forward, as if that much time had passed. */
function advanceClock(ms: number) {
  vi.useFakeTimers({ toFake: ['Date'] })
  vi.setSystemTime(Date.now() + ms)
}

async function storedRecord(userId: string): Promise<UserRecord> {
  return (await store.get<UserRecord>(`user:${userId}`, 'json'))!
}

describe('credits held by a running request', () => {
  it('are released when it ends, delivered or refunded, leaving no hold in the record', async () => {
    useFakeUpstream(fakeOpenAi())
    const user = await createTestUser(20)
    expect((await generate(user.token, { prompt: 'kept', quality: 'low' }, OPENAI)).status).toBe(
      200,
    )
    expect((await storedRecord(user.user_id)).holds).toBeUndefined()
    useFakeUpstream(
      fakeOpenAi({ kind: 'error', status: 400, code: 'moderation_blocked', message: 'Blocked.' }),
    )
    await generate(user.token, { prompt: 'blocked', quality: 'low' }, OPENAI)
    expect((await storedRecord(user.user_id)).holds).toBeUndefined()
    await expectLedgerBalance(user.user_id, 18)
  })

  it("ride with the designer's next request when it comes soon, instead of a write of their own", async () => {
    useFakeUpstream(fakeOpenAi())
    const user = await createTestUser(20)
    const log: string[] = []
    const slowRelease = {
      ...OPENAI,
      HOLD_RELEASE_WAIT_MS: '1500',
      STORE: storeWithSlowUserWrites(0, 0, log),
    }
    const answered = async (prompt: string) => {
      const started = await startWorker(
        '/v1/images/generate',
        jsonRequest(user.token, { prompt, quality: 'low' }),
        slowRelease,
      )
      expect(started.response.status).toBe(200)
      await started.response.arrayBuffer()
      return started
    }
    const first = await answered('first')
    const second = await answered('second')
    await first.settled
    // The first charge, then the second charge, which carried the first release.
    expect(log).toEqual(['user record written', 'user record written'])
    await second.settled
    // The second release, alone once no other change came.
    expect(log).toHaveLength(3)
    expect((await storedRecord(user.user_id)).holds).toBeUndefined()
    await expectLedgerBalance(user.user_id, 16)
  })

  it('come back once a request that never ended is past its time, as when its isolate stops', async () => {
    const user = await createTestUser(20)
    // What a generation saves before calling the model; then its isolate is gone.
    const { saved } = await beginCreditChange(store, user.user_id, {
      delta: -6,
      reason: 'generate gpt-image-2 medium x1',
      requestId: 'req-lost',
      holdUntil: Date.now() + 8 * 60_000,
    })
    await saved
    expect(await balanceOf(user.token)).toBe(14)
    expect((await storedRecord(user.user_id)).holds).toEqual({
      'req-lost': { credits: 6, until: expect.any(Number) },
    })
    advanceClock(8 * 60_000 + 1)
    expect(await balanceOf(user.token)).toBe(20)
    const { ledger } = await ledgerOf(user.user_id)
    expect(ledger.at(-1)).toMatchObject({
      delta: 6,
      reason: 'refund: the request stopped before it finished',
      request_id: 'req-lost',
    })
    await expectLedgerBalance(user.user_id, 20)
    expect((await storedRecord(user.user_id)).holds).toBeUndefined()
  })

  it('are given back once only: a request that ends after its hold ran out changes nothing more', async () => {
    const user = await createTestUser(20)
    const holdUntil = Date.now() + 1000
    const charge = { delta: -6, reason: 'generate', holdUntil }
    await (await beginCreditChange(store, user.user_id, { ...charge, requestId: 'late-1' })).saved
    await (await beginCreditChange(store, user.user_id, { ...charge, requestId: 'late-2' })).saved
    advanceClock(1001)
    // A grant by the admin gives back both lost holds on its way.
    await changeCredits(store, user.user_id, { delta: 1, reason: 'grant' })
    await expectLedgerBalance(user.user_id, 21)
    await refundCredits(store, user.user_id, 6, 'failed late', 'late-1', holdUntil)
    await releaseSettledHold(store, user.user_id, 'late-2', 0)
    await expectLedgerBalance(user.user_id, 21)
    expect((await ledgerOf(user.user_id)).ledger).toHaveLength(6)
  })

  it('still allow a request that lost credits could not otherwise afford', async () => {
    const user = await createTestUser(6)
    await (
      await beginCreditChange(store, user.user_id, {
        delta: -6,
        reason: 'generate',
        requestId: 'lost',
        holdUntil: Date.now() + 1000,
      })
    ).saved
    advanceClock(1001)
    useFakeUpstream(fakeOpenAi())
    const response = await generate(user.token, { prompt: 'after', quality: 'medium' }, OPENAI)
    expect(response.status).toBe(200)
    await expectLedgerBalance(user.user_id, 0)
  })
})

describe('an image that cannot be stored', () => {
  it('is refunded, and the designer is told storage failed, not the model', async () => {
    useFakeUpstream(fakeOpenAi())
    const user = await createTestUser(20)
    const images = (env as unknown as Env).IMAGES
    const refusing = new Proxy(images, {
      get: (target, property) =>
        property === 'put'
          ? () => Promise.reject(new Error('R2 put failed: 503'))
          : Reflect.get(target, property, target).bind(target),
    })
    const response = await generate(
      user.token,
      { prompt: 'unsaved', quality: 'low' },
      { ...OPENAI, IMAGES: refusing },
    )
    await expectStorageError(response, 'could not save the image')
    await expectLedgerBalance(user.user_id, 20)
  })
})

describe('an admin change that cannot be written', () => {
  it('answers 503 and leaves the balance as it was', async () => {
    const user = await createTestUser(20)
    const response = await callWorker(
      `/admin/users/${user.user_id}/credits`,
      jsonRequest(ADMIN_TOKEN, { delta: 50, reason: 'top-up' }),
      { STORE: storeWithSlowUserWrites(0, Number.POSITIVE_INFINITY) },
    )
    await expectStorageError(response, 'balance is as it was')
    await expectLedgerBalance(user.user_id, 20)
  }, 15_000)
})

describe("a designer's burst under KV's limit of one write per key per second", () => {
  it('starts every upstream call at once and saves the charges in a write or two', async () => {
    const startedAt: number[] = []
    useFakeUpstream(fakeOpenAi({ kind: 'images', delayMs: 20 }), () => startedAt.push(Date.now()))
    const user = await createTestUser(100)
    const landed: string[] = []
    const limited = { ...OPENAI, STORE: storeWithKvWriteLimit(landed) }
    const begun = Date.now()
    const responses = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        generate(user.token, { prompt: `restyle frame ${i}`, quality: 'low' }, limited),
      ),
    )
    expect(responses.map((response) => response.status)).toEqual(Array(20).fill(200))
    expect(startedAt).toHaveLength(20)
    // Queued a second apart, the last call would start 19 s after the first.
    expect(Math.max(...startedAt) - begun).toBeLessThan(500)
    const recordWrites = landed.filter((key) => key === `user:${user.user_id}`)
    expect(recordWrites.length).toBeGreaterThanOrEqual(2)
    expect(recordWrites.length).toBeLessThanOrEqual(3)
    await expectLedgerBalance(user.user_id, 100 - 20 * 2)
    expect((await ledgerOf(user.user_id)).ledger).toHaveLength(21)
  })

  it('refunds a burst of failures in shared writes too, and the ledger still sums to the balance', async () => {
    useFakeUpstream(
      fakeOpenAi({ kind: 'error', status: 400, code: 'moderation_blocked', message: 'Blocked.' }),
    )
    const user = await createTestUser(100)
    const landed: string[] = []
    const limited = { ...OPENAI, STORE: storeWithKvWriteLimit(landed) }
    const responses = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        generate(user.token, { prompt: `blocked ${i}`, quality: 'medium' }, limited),
      ),
    )
    expect(responses.map((response) => response.status)).toEqual(Array(10).fill(400))
    await expectLedgerBalance(user.user_id, 100)
    expect((await ledgerOf(user.user_id)).ledger).toHaveLength(21)
    expect(landed.filter((key) => key === `user:${user.user_id}`).length).toBeLessThanOrEqual(5)
  }, 15_000)
})

describe('a write that never settles', () => {
  it('is taken over by the next change, so one lost request cannot hold up the account', async () => {
    const user = await createTestUser(20)
    let hung = false
    const hangsOnce = storeWith({
      put: (key: string, ...rest: [string]) => {
        if (key.startsWith('user:') && !hung) {
          hung = true
          return new Promise(() => {})
        }
        return store.put(key, ...rest)
      },
    })
    const first = await beginCreditChange(hangsOnce, user.user_id, { delta: -2, reason: 'lost' })
    void first.saved
    const second = await changeCredits(hangsOnce, user.user_id, { delta: -3, reason: 'next' })
    expect(second.balance).toBe(15)
    await expectLedgerBalance(user.user_id, 15)
  }, 20_000)
})

describe('a long ledger', () => {
  it('archives old entries in chunks, keeps the user record small, and still sums to the balance', async () => {
    const user = await createTestUser(0)
    const changes = LEDGER_TAIL_LIMIT + 60
    for (let i = 1; i <= changes; i++) {
      const response = await callWorker(
        `/admin/users/${user.user_id}/credits`,
        jsonRequest(ADMIN_TOKEN, { delta: i % 7 === 0 ? -1 : 2, reason: `change ${i}` }),
      )
      expect(response.status).toBe(200)
    }
    const ledger = await ledgerOf(user.user_id)
    expect(ledger.ledger).toHaveLength(changes)
    expect(ledger.ledger.map((entry) => (entry as unknown as { reason: string }).reason)).toEqual(
      Array.from({ length: changes }, (_, i) => `admin: change ${i + 1}`),
    )
    expect(ledger.ledger.reduce((sum, entry) => sum + entry.delta, 0)).toBe(ledger.balance)
    const record = await store.get<{
      ledger: unknown[]
      archived_chunks: number
    }>(`user:${user.user_id}`, 'json')
    expect(record!.ledger.length).toBeLessThanOrEqual(LEDGER_TAIL_LIMIT)
    expect(record!.archived_chunks).toBeGreaterThanOrEqual(1)
    expect(await balanceOf(user.token)).toBe(ledger.balance)
  }, 60_000)

  it('pages back through the ledger, reading only the chunks a page needs', async () => {
    const user = await createTestUser(0)
    await Promise.all(
      Array.from({ length: 300 }, (_, i) =>
        changeCredits(store, user.user_id, { delta: 1, reason: `bulk ${i}` }),
      ),
    )
    const reads: string[] = []
    const counting = storeCountingReads(reads)
    const page = async (query: string) => {
      reads.length = 0
      const response = await callWorker(
        `/admin/users/${user.user_id}${query}`,
        { headers: { Authorization: `Bearer ${ADMIN_TOKEN}` } },
        { STORE: counting },
      )
      expect(response.status).toBe(200)
      return AdminUserResponseSchema.parse(await response.json()).data
    }
    const newest = await page('')
    expect(newest.ledger_total).toBe(300)
    expect(newest.ledger_from).toBe(200)
    expect(newest.ledger).toHaveLength(100)
    const recent = await page('?entries=10')
    expect(recent.ledger).toEqual(newest.ledger.slice(-10))
    expect(reads).toEqual([`user:${user.user_id}`])
    const older = await page('?entries=30&before=100')
    expect(older.ledger_from).toBe(70)
    expect(older.ledger.map((entry) => entry.balance_after)).toEqual(
      Array.from({ length: 30 }, (_, i) => 71 + i),
    )
    expect(reads.filter((key) => key.startsWith('ledger:'))).toHaveLength(2)
    const whole = await ledgerOf(user.user_id)
    expect(whole.ledger.map((entry) => entry.balance_after)).toEqual(
      Array.from({ length: 300 }, (_, i) => i + 1),
    )
    expect(new Set(whole.ledger.map((entry) => entry.reason)).size).toBe(300)
  })
})
