import { env } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import { LEDGER_TAIL_LIMIT } from '../../proxy-worker/src/accounts/account-store'
import { ErrorBodySchema } from '../../shared'
import {
  ADMIN_TOKEN,
  balanceOf,
  callWorker,
  createTestUser,
  generate,
  jsonRequest,
  ledgerOf,
} from './worker-client'

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
    const record = await (env as unknown as { STORE: KVNamespace }).STORE.get<{
      ledger: unknown[]
      archived_chunks: number
    }>(`user:${user.user_id}`, 'json')
    expect(record!.ledger.length).toBeLessThanOrEqual(LEDGER_TAIL_LIMIT)
    expect(record!.archived_chunks).toBeGreaterThanOrEqual(1)
    expect(await balanceOf(user.token)).toBe(ledger.balance)
  }, 60_000)
})
