import { env, runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test'
import { describe, expect, it, vi } from 'vitest'
import type { AccountRecord } from '../../proxy-worker/src/accounts/account-record'
import { accountOf } from '../../proxy-worker/src/accounts/account-store'
import { sha256Hex } from '../../proxy-worker/src/accounts/token-hash'
import {
  archivedChunks,
  LEDGER_CHUNK_SIZE,
  LEDGER_TAIL_LIMIT,
} from '../../proxy-worker/src/accounts/user-account'
import type { Env } from '../../proxy-worker/src/env'
import { AdminUserResponseSchema, ErrorBodySchema, type LedgerEntry } from '../../shared'
import { fakeKie } from './fakes/fake-kie'
import { fakeOpenAi } from './fakes/fake-openai'
import {
  ADMIN_TOKEN,
  accountsFailing,
  balanceOf,
  callWorker,
  createTestUser,
  expectStorageError,
  generate,
  jsonRequest,
  ledgerOf,
  OPENAI,
  store,
  useFakeUpstream,
} from './worker-client'

const workerEnv = env as unknown as Env

/** What the worker passes the account object for a request made with this token, now. */
const accessOf = async (token: string) => ({ tokenHash: await sha256Hex(token), now: Date.now() })

async function expectLedgerBalance(userId: string, balance: number) {
  const ledger = await ledgerOf(userId)
  expect(ledger.balance).toBe(balance)
  expect(ledger.ledger.reduce((sum, entry) => sum + entry.delta, 0)).toBe(balance)
  let running = 0
  for (const entry of ledger.ledger) {
    running += entry.delta
    expect(running).toBe(entry.balance_after)
    expect(running).toBeGreaterThanOrEqual(0)
  }
}

/**
 * Runs the account object's alarm until the KV copy is written, as if the 10 s over which it
 * gathers changes had passed.
 */
async function settleAlarms(userId: string) {
  const stub = accountOf(workerEnv, userId)
  for (let i = 0; i < 5; i++) {
    const dirty = await runInDurableObject(stub, (instance, state) => {
      const sql = state.storage.sql
      const { dirty } = sql.exec<{ dirty: number }>('SELECT kv_dirty AS dirty FROM account').one()
      if (dirty) {
        sql.exec('UPDATE account SET kv_written_at = kv_written_at - 10000')
        // The object keeps a copy of that row.
        Reflect.set(instance, 'row', undefined)
      }
      return dirty
    })
    if (!dirty) return
    expect(await runDurableObjectAlarm(stub)).toBe(true)
  }
}

const holdsOf = (userId: string) =>
  runInDurableObject(
    accountOf(workerEnv, userId),
    (_, state) =>
      state.storage.sql
        .exec<{ n: number }>("SELECT COUNT(*) AS n FROM jobs WHERE state = 'running'")
        .one().n,
  )

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

  it('meters 50 concurrent requests from ten designers exactly: each affords three of five', async () => {
    const users = await Promise.all(Array.from({ length: 10 }, () => createTestUser(20)))
    const responses = await Promise.all(
      users.flatMap((user) =>
        Array.from({ length: 5 }, (_, i) =>
          generate(user.token, { prompt: `race ${i}`, quality: 'medium' }),
        ),
      ),
    )
    const statuses = responses.map((response) => response.status)
    expect(statuses.filter((status) => status === 200)).toHaveLength(30)
    expect(statuses.filter((status) => status === 402)).toHaveLength(20)
    for (const user of users) await expectLedgerBalance(user.user_id, 2)
  })

  it('meters 50 concurrent requests from one designer exactly, with the in-flight cap raised', async () => {
    const user = await createTestUser(200)
    const responses = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        generate(
          user.token,
          { prompt: `burst ${i}`, quality: 'medium' },
          { MAX_CONCURRENT_PER_USER: '100' },
        ),
      ),
    )
    const statuses = responses.map((response) => response.status)
    // 200 credits at 6 each: 33 afforded, 17 refused; never below zero.
    expect(statuses.filter((status) => status === 200)).toHaveLength(33)
    expect(statuses.filter((status) => status === 402)).toHaveLength(17)
    await expectLedgerBalance(user.user_id, 2)
  })

  it('lets a designer run 8 generations at once; beyond that a 429 says to wait, charging nothing', async () => {
    const user = await createTestUser(500)
    const responses = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        generate(
          user.token,
          { prompt: `many ${i}`, quality: 'medium' },
          { PREVIEW_DELAY_MS: '400' },
        ),
      ),
    )
    const statuses = responses.map((response) => response.status)
    expect(statuses.filter((status) => status === 200)).toHaveLength(8)
    const refused = responses.filter((response) => response.status === 429)
    expect(refused).toHaveLength(4)
    const body = ErrorBodySchema.parse(await refused[0].json())
    expect(body.type).toBe('too_many_running')
    expect(body.message).toContain('Wait for one to finish')
    await expectLedgerBalance(user.user_id, 500 - 8 * 6)
    expect((await ledgerOf(user.user_id)).ledger).toHaveLength(9)
  })

  it('loses none of a team admin’s grants made during a burst of generations', async () => {
    const user = await createTestUser(100)
    const grant = (credits: number) =>
      callWorker(
        `/admin/users/${user.user_id}/credits`,
        jsonRequest(ADMIN_TOKEN, { delta: credits, reason: `top-up ${credits}` }),
      )
    const outcomes = await Promise.all([
      ...Array.from({ length: 15 }, (_, i) =>
        generate(
          user.token,
          { prompt: `burst ${i}`, quality: 'low' },
          { MAX_CONCURRENT_PER_USER: '20' },
        ),
      ),
      ...Array.from({ length: 10 }, (_, i) => grant(i + 1)),
    ])
    expect(outcomes.map((response) => response.status).every((status) => status === 200)).toBe(true)
    await expectLedgerBalance(user.user_id, 100 - 15 * 2 + 55)
    const reasons = (await ledgerOf(user.user_id)).ledger.map((entry) => entry.reason)
    expect(reasons.filter((reason) => reason.startsWith('admin: top-up'))).toHaveLength(10)
  })

  it('settles a request before its answer is complete: no hold is left once it has answered', async () => {
    const user = await createTestUser(100)
    const response = await generate(user.token, { prompt: 'settled', quality: 'high', n: 2 })
    expect(response.status).toBe(200)
    expect(await holdsOf(user.user_id)).toBe(0)
    await expectLedgerBalance(user.user_id, 76)
  })
})

/** Reserves `requested` medium images for a request whose deadline is 200 ms away. */
async function reserveShortLived(
  user: { user_id: string; token: string },
  requestId: string,
  requested: number,
  provider: 'preview' | 'openai' = 'preview',
) {
  return accountOf(workerEnv, user.user_id).reserve(user.user_id, await accessOf(user.token), {
    requestId,
    credits: 6 * requested,
    price: 6,
    until: Date.now() + 200,
    reason: `generate gpt-image-2 medium x${requested}`,
    model: 'gpt-image-2',
    provider,
    size: '1024x1024',
    quality: 'medium',
    requested,
    limit: 8,
  })
}

describe('a request that never settles (its isolate stopped)', () => {
  it('has its hold given back by the account object’s alarm at its deadline, once', async () => {
    const user = await createTestUser(50)
    const account = accountOf(workerEnv, user.user_id)
    const reserved = await reserveShortLived(user, crypto.randomUUID(), 2)
    expect(reserved).toEqual({ ok: true, balance: 38 })
    await new Promise((resolve) => setTimeout(resolve, 250))
    await runDurableObjectAlarm(account)
    await runDurableObjectAlarm(account)
    const ledger = await ledgerOf(user.user_id)
    expect(ledger.balance).toBe(50)
    expect(ledger.ledger.map((entry) => entry.reason)).toEqual([
      'opening grant',
      'generate gpt-image-2 medium x2',
      'refund: the request stopped before it finished',
    ])
  })

  it('is charged for the images it had stored before it stopped, and only those', async () => {
    const user = await createTestUser(50)
    const account = accountOf(workerEnv, user.user_id)
    const requestId = crypto.randomUUID()
    await reserveShortLived(user, requestId, 3)
    await account.addImage(user.user_id, requestId, {
      id: 'img_aaaaaaaaaaaaaaaaaaaa',
      index: 0,
      url: 'https://worker.test/v1/images/img_aaaaaaaaaaaaaaaaaaaa',
      width: 1024,
      height: 1024,
      mime_type: 'image/png',
      bytes: 10,
      preview: true,
    })
    await new Promise((resolve) => setTimeout(resolve, 250))
    await runDurableObjectAlarm(account)
    await expectLedgerBalance(user.user_id, 44)
    const job = await account.job(user.user_id, requestId, await accessOf(user.token))
    expect(job).toMatchObject({ state: 'stopped', credits: { charged: 6, refunded: 12 } })
    expect(typeof job === 'object' && job?.images).toHaveLength(1)
  })

  it('lists no image its late settlement brings that the alarm’s settlement did not charge for', async () => {
    const user = await createTestUser(50)
    const account = accountOf(workerEnv, user.user_id)
    const requestId = crypto.randomUUID()
    await reserveShortLived(user, requestId, 2)
    await new Promise((resolve) => setTimeout(resolve, 250))
    await runDurableObjectAlarm(account)
    // Nothing was known to be accepted or stored: all refunded. Then the request settles, late.
    const late = await account.settle(user.user_id, requestId, {
      state: 'done',
      refundReason: 'late',
      accepted: false,
      delivered: [
        {
          id: 'img_bbbbbbbbbbbbbbbbbbbb',
          index: 0,
          url: 'https://worker.test/v1/images/img_bbbbbbbbbbbbbbbbbbbb',
          width: 1024,
          height: 1024,
          mime_type: 'image/png',
          bytes: 10,
          preview: true,
        },
      ],
      deliveredCount: 1,
    })
    expect(late.settledNow).toBe(false)
    const job = await account.job(user.user_id, requestId, await accessOf(user.token))
    expect(job).toMatchObject({ state: 'stopped', credits: { charged: 0, refunded: 12 } })
    expect(typeof job === 'object' && job?.images).toHaveLength(0)
    await expectLedgerBalance(user.user_id, 50)
  })

  it('is charged for every image asked for once the upstream had accepted it, as the upstream bills', async () => {
    const user = await createTestUser(50)
    const account = accountOf(workerEnv, user.user_id)
    const requestId = crypto.randomUUID()
    await reserveShortLived(user, requestId, 3, 'openai')
    await account.accepted(user.user_id, requestId)
    await new Promise((resolve) => setTimeout(resolve, 250))
    await runDurableObjectAlarm(account)
    await expectLedgerBalance(user.user_id, 32)
    const job = await account.job(user.user_id, requestId, await accessOf(user.token))
    expect(job).toMatchObject({
      state: 'stopped',
      accepted: true,
      credits: { charged: 18, refunded: 0 },
      error: expect.stringContaining('provider bills for those images, so they were charged'),
    })
  })
})

describe('the account object’s alarm', () => {
  it('deletes the job and Idempotency-Key records whose day is over, and only those', async () => {
    const user = await createTestUser(50)
    const account = accountOf(workerEnv, user.user_id)
    const [old, recent, running] = [crypto.randomUUID(), crypto.randomUUID(), crypto.randomUUID()]
    for (const requestId of [old, recent]) {
      await reserveShortLived(user, requestId, 1)
      await account.settle(user.user_id, requestId, { state: 'failed', refundReason: 'test' })
      await account.claimKey(
        user.user_id,
        await accessOf(user.token),
        `key-${requestId}`,
        'fingerprint',
        Date.now() + 60_000,
      )
    }
    await account.reserve(user.user_id, await accessOf(user.token), {
      requestId: running,
      credits: 6,
      price: 6,
      until: Date.now() + 60_000,
      reason: 'generate gpt-image-2 medium x1',
      model: 'gpt-image-2',
      provider: 'preview',
      size: '1024x1024',
      quality: 'medium',
      requested: 1,
      limit: 8,
    })
    const left = () =>
      runInDurableObject(account, (_, state) => ({
        jobs: state.storage.sql
          .exec<{ request_id: string }>('SELECT request_id FROM jobs ORDER BY request_id')
          .toArray()
          .map((row) => row.request_id),
        keys: state.storage.sql
          .exec<{ key_hash: string }>('SELECT key_hash FROM idempotency ORDER BY key_hash')
          .toArray()
          .map((row) => row.key_hash),
      }))
    const expire = (query: string, id: string) =>
      runInDurableObject(account, (_, state) => {
        state.storage.sql.exec(query, Date.now() - 1, id)
      })
    expect(await left()).toEqual({
      jobs: [old, recent, running].sort(),
      keys: [`key-${old}`, `key-${recent}`].sort(),
    })
    // A key's day over, no job's: the key goes.
    await expire('UPDATE idempotency SET expires = ? WHERE key_hash = ?', `key-${old}`)
    await runDurableObjectAlarm(account)
    expect(await left()).toEqual({ jobs: [old, recent, running].sort(), keys: [`key-${recent}`] })
    // A finished job's day over: it goes. A job still running stays, whatever its expiry says.
    await expire('UPDATE jobs SET expires = ? WHERE request_id = ?', old)
    await expire('UPDATE jobs SET expires = ? WHERE request_id = ?', running)
    await runDurableObjectAlarm(account)
    expect(await left()).toEqual({ jobs: [recent, running].sort(), keys: [`key-${recent}`] })
  })
})

/**
 * A user from before the objects, with 100 credits: their object has never written the record, so
 * the next change of credits comes after a quiet spell.
 */
async function quietUser(id: string) {
  const token = `pf_${id}.${'q'.repeat(40)}`
  await store.put(
    `user:${id}`,
    JSON.stringify({
      id,
      name: 'Quiet',
      created_at: '2026-01-01T00:00:00.000Z',
      token_hash: await sha256Hex(token),
      balance: 100,
      ledger: [],
    } satisfies AccountRecord),
  )
  return { id, token }
}

/**
 * Makes the account object's first write to KV fail as KV refuses one (the next go through), and
 * returns when each write was tried.
 */
async function refuseFirstKvWrite(account: ReturnType<typeof accountOf>): Promise<number[]> {
  const attempts: number[] = []
  await runInDurableObject(account, (instance) => {
    const object = instance as unknown as { env: Env }
    const kv = object.env.STORE
    const put: KVNamespace['put'] = (...args) => {
      attempts.push(Date.now())
      return attempts.length === 1
        ? Promise.reject(new Error('KV PUT failed: 429 Too Many Requests'))
        : kv.put(...args)
    }
    object.env = {
      ...object.env,
      STORE: new Proxy(kv, {
        get: (target, property) =>
          property === 'put' ? put : Reflect.get(target, property, target).bind(target),
      }),
    }
  })
  return attempts
}

describe('the copy in Workers KV', () => {
  it('follows a generation when it settles, without the alarm running for it', async () => {
    const { id, token } = await quietUser('u_quietgenerate1')
    useFakeUpstream(fakeOpenAi({ kind: 'images', count: 2, delayMs: 800 }))
    const kvBalance = async () => (await store.get<AccountRecord>(`user:${id}`, 'json'))?.balance
    const answer = generate(token, { prompt: 'one', quality: 'low', n: 2 }, OPENAI)
    // While the model works, the hold waits for its settlement rather than costing a write.
    await new Promise((resolve) => setTimeout(resolve, 500))
    expect(await kvBalance()).toBe(100)
    expect((await answer).status).toBe(200)
    await vi.waitFor(
      async () => expect((await store.get<AccountRecord>(`user:${id}`, 'json'))?.balance).toBe(96),
      { timeout: 2000 },
    )
    const record = (await store.get<AccountRecord>(`user:${id}`, 'json'))!
    expect(record.ledger.map((entry) => entry.reason)).toEqual(['generate gpt-image-2 low x2'])
    // What is left for the alarm is the job's expiry, a day away.
    const alarm = await runInDurableObject(accountOf(workerEnv, id), (_, state) =>
      state.storage.getAlarm(),
    )
    expect(alarm).toBeGreaterThan(Date.now() + 60 * 60 * 1000)
  })

  it('equals the account object’s state once its writes have settled, ledger chunks included', async () => {
    const user = await createTestUser(0)
    const account = accountOf(workerEnv, user.user_id)
    for (let i = 1; i <= 80; i++)
      await account.grant(user.user_id, i % 7 === 0 ? -1 : 2, `change ${i}`)
    await settleAlarms(user.user_id)
    const record = (await store.get<AccountRecord>(`user:${user.user_id}`, 'json'))!
    const view = await ledgerOf(user.user_id)
    expect(record.balance).toBe(view.balance)
    expect(record.archived_chunks).toBe(archivedChunks(81))
    const chunks = await Promise.all(
      Array.from({ length: record.archived_chunks ?? 0 }, (_, i) =>
        store.get<LedgerEntry[]>(`ledger:${user.user_id}:${i}`, 'json'),
      ),
    )
    for (const chunk of chunks) expect(chunk).toHaveLength(LEDGER_CHUNK_SIZE)
    expect(record.ledger.length).toBeLessThanOrEqual(LEDGER_TAIL_LIMIT)
    expect([...chunks.flat(), ...record.ledger]).toEqual(view.ledger)
  })

  it('is written at once after a quiet spell, then at most once in 10 s with every change made meanwhile', async () => {
    const { id, token } = await quietUser('u_quietspell1234')
    expect(await balanceOf(token)).toBe(100)
    const account = accountOf(workerEnv, id)
    const alarm = () => runInDurableObject(account, (_, state) => state.storage.getAlarm())
    const kvBalance = async () => (await store.get<AccountRecord>(`user:${id}`, 'json'))!.balance
    await account.grant(id, 1, 'first')
    // Its alarm is due at once, and runs by itself.
    await vi.waitFor(async () => expect(await kvBalance()).toBe(101), { timeout: 2000 })
    const written = await runInDurableObject(
      account,
      (_, state) =>
        state.storage.sql.exec<{ kv_written_at: number }>('SELECT kv_written_at FROM account').one()
          .kv_written_at,
    )
    await Promise.all(Array.from({ length: 10 }, (_, i) => account.grant(id, 1, `burst ${i}`)))
    expect(await alarm()).toBe(written + 10_000)
    expect(await kvBalance()).toBe(101)
    await settleAlarms(id)
    const record = (await store.get<AccountRecord>(`user:${id}`, 'json'))!
    expect(record.balance).toBe(111)
    expect(record.ledger.map((entry) => entry.reason)).toHaveLength(11)
  })

  it('is written again 2 s after KV refuses it, with every change made meanwhile', async () => {
    const { id } = await quietUser('u_kvrefuses00001')
    const account = accountOf(workerEnv, id)
    const attempts = await refuseFirstKvWrite(account)
    await account.grant(id, 5, 'grant')
    await vi.waitFor(() => expect(attempts).toHaveLength(1), { timeout: 2000 })
    await account.grant(id, 1, 'meanwhile')
    await vi.waitFor(() => expect(attempts).toHaveLength(2), { timeout: 4000 })
    expect(attempts[1] - attempts[0]).toBeGreaterThanOrEqual(2000)
    expect((await store.get<AccountRecord>(`user:${id}`, 'json'))?.balance).toBe(106)
  })

  it('waits KV’s 1 s gap after a write KV refused, for a change a team admin makes at once', async () => {
    const { id } = await quietUser('u_kvrefuses00002')
    const account = accountOf(workerEnv, id)
    const attempts = await refuseFirstKvWrite(account)
    await account.grant(id, 5, 'grant')
    await vi.waitFor(() => expect(attempts).toHaveLength(1), { timeout: 2000 })
    // An admin's change is written before their call returns, not in the 2 s of a retry.
    const renamed = await account.update(id, { name: 'Renamed' }, Date.now())
    expect(renamed?.name).toBe('Renamed')
    expect(attempts).toHaveLength(2)
    expect(attempts[1] - attempts[0]).toBeGreaterThanOrEqual(1000)
    const record = (await store.get<AccountRecord>(`user:${id}`, 'json'))!
    expect({ name: record.name, balance: record.balance }).toEqual({
      name: 'Renamed',
      balance: 105,
    })
    await settleAlarms(id)
    expect(attempts).toHaveLength(2)
  })
})

describe('an account object made by an earlier version', () => {
  it('keeps the state of its KV copy, kept in a table of its own then: the write it owed waits KV’s gap', async () => {
    const user = await createTestUser(0)
    const account = accountOf(workerEnv, user.user_id)
    for (let i = 1; i <= 60; i++) await account.grant(user.user_id, 1, `change ${i}`)
    await settleAlarms(user.user_id)
    const before = (await store.get<AccountRecord>(`user:${user.user_id}`, 'json'))!
    const writtenAt = Date.now()
    const moved = await runInDurableObject(account, (instance, state) => {
      const sql = state.storage.sql
      // The object as it was stored before: one change not yet in KV, written to KV just now.
      sql.exec(`
        CREATE TABLE kv_sync (id INTEGER PRIMARY KEY CHECK (id = 1), dirty INTEGER NOT NULL, written_at INTEGER NOT NULL, chunks INTEGER NOT NULL);
        ALTER TABLE account DROP COLUMN kv_dirty;
        ALTER TABLE account DROP COLUMN kv_written_at;
        ALTER TABLE account DROP COLUMN kv_chunks;
        UPDATE account SET balance = balance + 1;
      `)
      sql.exec('INSERT INTO kv_sync VALUES (1, 1, ?, ?)', writtenAt, before.archived_chunks ?? 0)
      Reflect.set(instance, 'row', undefined)
      ;(instance as unknown as { prepareSchema(): void }).prepareSchema()
      return {
        row: sql.exec('SELECT kv_dirty, kv_written_at, kv_chunks FROM account').one(),
        tables: sql.exec("SELECT name FROM sqlite_master WHERE name = 'kv_sync'").toArray(),
      }
    })
    expect(moved).toEqual({
      row: { kv_dirty: 1, kv_written_at: writtenAt, kv_chunks: before.archived_chunks },
      tables: [],
    })
    // The write it owed waits KV's gap from the last one, then carries the change.
    const alarm = await runInDurableObject(account, (instance, state) => {
      ;(instance as unknown as { schedule(): void }).schedule()
      return state.storage.getAlarm()
    })
    expect(alarm).toBe(writtenAt + 10_000)
    await settleAlarms(user.user_id)
    const record = (await store.get<AccountRecord>(`user:${user.user_id}`, 'json'))!
    expect(record.balance).toBe(before.balance + 1)
    expect(record.archived_chunks).toBe(before.archived_chunks)
  })

  it('keeps the holds it kept in a table of its own: a running job settles as before, a hold with no job is refunded', async () => {
    const user = await createTestUser(50)
    const account = accountOf(workerEnv, user.user_id)
    const requestId = crypto.randomUUID()
    await account.reserve(user.user_id, await accessOf(user.token), {
      requestId,
      credits: 12,
      price: 6,
      until: Date.now() + 60_000,
      reason: 'generate gpt-image-2 medium x2',
      model: 'gpt-image-2',
      provider: 'preview',
      size: '1024x1024',
      quality: 'medium',
      requested: 2,
      limit: 8,
    })
    const moved = await runInDurableObject(account, async (instance, state) => {
      const sql = state.storage.sql
      // As it was stored before: each hold in the holds table, and one with no job at all (loaded
      // from a KV record from before the account objects), whose 5 credits were taken then.
      sql.exec(`
        CREATE TABLE holds (request_id TEXT PRIMARY KEY, credits INTEGER NOT NULL, price INTEGER NOT NULL, until INTEGER NOT NULL);
        INSERT INTO holds SELECT request_id, held, price, until FROM jobs WHERE state = 'running';
        INSERT INTO holds VALUES ('r_from_kv', 5, 0, 0);
        INSERT INTO ledger SELECT (SELECT MAX(position) + 1 FROM ledger), 'entry-kv', '2026-01-01T00:00:00.000Z', -5, 'old use', 'r_from_kv', balance - 5 FROM account;
        UPDATE account SET balance = balance - 5;
        DROP INDEX running_jobs;
        ALTER TABLE jobs DROP COLUMN held;
        ALTER TABLE jobs DROP COLUMN price;
        ALTER TABLE jobs DROP COLUMN until;
      `)
      Reflect.set(instance, 'row', undefined)
      Reflect.set(instance, 'entries', undefined)
      // A new instance on these tables, as after a deploy: its construction brings them up to date.
      Reflect.construct(instance.constructor, [state, workerEnv])
      return {
        jobs: sql.exec('SELECT request_id, state, held, price FROM jobs').toArray(),
        holds: sql.exec("SELECT name FROM sqlite_master WHERE name = 'holds'").toArray(),
        index: sql
          .exec("SELECT name FROM sqlite_master WHERE type = 'index' AND name = 'running_jobs'")
          .toArray(),
        // Set for now, to write the refund to KV.
        alarmDue: ((await state.storage.getAlarm()) ?? Number.POSITIVE_INFINITY) <= Date.now(),
      }
    })
    expect(moved).toEqual({
      jobs: [{ request_id: requestId, state: 'running', held: 12, price: 6 }],
      holds: [],
      index: [{ name: 'running_jobs' }],
      alarmDue: true,
    })
    await expectLedgerBalance(user.user_id, 38)
    const settled = await account.settle(user.user_id, requestId, {
      state: 'done',
      refundReason: '1 of 2 not delivered',
      delivered: [null],
    })
    expect(settled).toEqual({ charged: 6, refunded: 6, balance: 44, settledNow: true })
    const ledger = await ledgerOf(user.user_id)
    expect(ledger.ledger.slice(-3).map(({ delta, reason }) => [delta, reason])).toEqual([
      [-5, 'old use'],
      [5, 'refund: the request stopped before it finished'],
      [6, 'refund: 1 of 2 not delivered'],
    ])
    await expectLedgerBalance(user.user_id, 44)
    await settleAlarms(user.user_id)
    expect((await store.get<AccountRecord>(`user:${user.user_id}`, 'json'))!.balance).toBe(44)
  })
})

describe('a user from before the account objects', () => {
  it('keeps their balance and whole ledger, and is charged as anyone else', async () => {
    const id = 'u_legacyuser1234'
    const token = `pf_${id}.${'s'.repeat(40)}`
    const entries: LedgerEntry[] = Array.from({ length: 60 }, (_, i) => ({
      id: `entry-${i}`,
      at: new Date(2026, 0, 1, 0, i).toISOString(),
      delta: i === 0 ? 100 : -1,
      reason: i === 0 ? 'opening grant' : `old use ${i}`,
      balance_after: 100 - i,
    }))
    await store.put(`ledger:${id}:0`, JSON.stringify(entries.slice(0, 25)))
    const legacy: AccountRecord = {
      id,
      name: 'From before',
      created_at: '2026-01-01T00:00:00.000Z',
      token_hash: await sha256Hex(token),
      balance: 41,
      ledger: entries.slice(25),
      archived_chunks: 1,
    }
    await store.put(`user:${id}`, JSON.stringify(legacy))
    expect(await balanceOf(token)).toBe(41)
    const before = await ledgerOf(id)
    expect(before.ledger).toEqual(entries)
    expect((await generate(token, { prompt: 'after the move', quality: 'low' })).status).toBe(200)
    await expectLedgerBalance(id, 39)
  })

  it('has the credits held for their requests then given back at once: nothing would settle them', async () => {
    const id = 'u_legacyholds123'
    const token = `pf_${id}.${'s'.repeat(40)}`
    const legacy: AccountRecord = {
      id,
      name: 'Held before',
      created_at: '2026-01-01T00:00:00.000Z',
      token_hash: await sha256Hex(token),
      balance: 34,
      ledger: [
        {
          id: 'e0',
          at: '2026-01-01T00:00:00.000Z',
          delta: 40,
          reason: 'opening grant',
          balance_after: 40,
        },
        {
          id: 'e1',
          at: '2026-01-01T00:01:00.000Z',
          delta: -6,
          reason: 'generate gpt-image-2 medium x1',
          request_id: 'r_old',
          balance_after: 34,
        },
      ],
      holds: { r_old: { credits: 6, until: Date.now() + 60_000 } },
    }
    await store.put(`user:${id}`, JSON.stringify(legacy))
    expect(await balanceOf(token)).toBe(40)
    const ledger = await ledgerOf(id)
    expect(ledger.ledger.at(-1)).toMatchObject({
      delta: 6,
      reason: 'refund: the request stopped before it finished',
      request_id: 'r_old',
      balance_after: 40,
    })
    await expectLedgerBalance(id, 40)
    await settleAlarms(id)
    expect((await store.get<AccountRecord>(`user:${id}`, 'json'))!.balance).toBe(40)
  })
})

describe('an image that cannot be stored', () => {
  it('is refunded, and the designer is told storage failed, not the model', async () => {
    useFakeUpstream(fakeOpenAi())
    const user = await createTestUser(20)
    const refusing = new Proxy(workerEnv.IMAGES, {
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

describe('the ledger', () => {
  it('pages back through a long ledger', async () => {
    const user = await createTestUser(0)
    const account = accountOf(workerEnv, user.user_id)
    for (let i = 0; i < 300; i++) await account.grant(user.user_id, 1, `bulk ${i}`)
    const page = async (query: string) => {
      const response = await callWorker(`/admin/users/${user.user_id}${query}`, {
        headers: { Authorization: `Bearer ${ADMIN_TOKEN}` },
      })
      expect(response.status).toBe(200)
      return AdminUserResponseSchema.parse(await response.json()).data
    }
    const newest = await page('')
    expect([newest.ledger_total, newest.ledger_from, newest.ledger.length]).toEqual([300, 200, 100])
    expect((await page('?entries=10')).ledger).toEqual(newest.ledger.slice(-10))
    const older = await page('?entries=30&before=100')
    expect(older.ledger_from).toBe(70)
    expect(older.ledger.map((entry) => entry.balance_after)).toEqual(
      Array.from({ length: 30 }, (_, i) => 71 + i),
    )
  })
})

describe('a settlement that cannot be recorded', () => {
  it('once the object knows the model started the job, says it is charged in full, as the provider bills', async () => {
    // A KIE task still being polled 2 s after it was accepted: the object is told then.
    useFakeUpstream(fakeKie('success', 'https://kie.fake', undefined, () => 30))
    const user = await createTestUser(20)
    const response = await generate(
      user.token,
      { prompt: 'unsettled', quality: 'low' },
      {
        KIE_API_KEY: 'kie-test-key',
        KIE_BASE_URL: 'https://kie.fake',
        KIE_POLL_INTERVAL_MS: '100',
        ACCOUNTS: accountsFailing('settle'),
      },
    )
    await expectStorageError(response, 'settles on its own', 'charged in full')
  }, 15_000)

  it.each([
    ['when the object only learns of the job with its settlement', fakeOpenAi()],
    [
      'before the model started it',
      fakeOpenAi({ kind: 'error', status: 500, code: null, message: 'The server had an error' }),
    ],
  ])('%s, says the unused credits come back on their own', async (_, upstream) => {
    useFakeUpstream(upstream)
    const user = await createTestUser(20)
    const response = await generate(
      user.token,
      { prompt: 'unsettled', quality: 'low' },
      { ...OPENAI, ACCOUNTS: accountsFailing('settle') },
    )
    await expectStorageError(response, 'The 2 credits it did not use come back on their own')
  })
})
