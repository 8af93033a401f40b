import { env } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import { sha256Hex } from '../../proxy-worker/src/accounts/token-hash'
import { AccountResponseSchema, AdminUserResponseSchema, CatalogResponseSchema } from '../../shared'
import {
  ADMIN_TOKEN,
  balanceOf,
  callWorker,
  createTestUser,
  generate,
  jsonRequest,
} from './worker-client'

const admin = (body: unknown) => jsonRequest(ADMIN_TOKEN, body)

describe('admin', () => {
  it('creates a user whose token is shown once and stored only as a SHA-256 hash', async () => {
    const user = await createTestUser(40, 'Ada')
    expect(user.token).toMatch(new RegExp(`^pf_${user.user_id}\\.[A-Za-z0-9_-]{43}$`))
    const store = (env as unknown as { STORE: KVNamespace }).STORE
    const keys = (await store.list()).keys.map((key) => key.name)
    expect(keys.some((key) => key.includes(user.token.split('.')[1]))).toBe(false)
    const record = await store.get(`user:${user.user_id}`)
    expect(record).not.toContain(user.token)
    const shown = AdminUserResponseSchema.parse(
      await (
        await callWorker(`/admin/users/${user.user_id}`, {
          headers: { Authorization: `Bearer ${ADMIN_TOKEN}` },
        })
      ).json(),
    )
    expect(shown.data).not.toHaveProperty('token')
  })

  it('checks the whole token against the hash kept with the user it names', async () => {
    const user = await createTestUser(40)
    const other = await createTestUser(40)
    const store = (env as unknown as { STORE: KVNamespace }).STORE
    expect(await store.get(`user:${user.user_id}`)).toContain(await sha256Hex(user.token))
    const accountWith = (token: string) =>
      callWorker('/v1/account', { headers: { Authorization: `Bearer ${token}` } })
    const secret = user.token.split('.')[1]
    const forged = [
      `pf_${user.user_id}.${'A'.repeat(43)}`,
      `pf_${other.user_id}.${secret}`,
      `pf_${user.user_id}.${secret.slice(0, -1)}`,
      `pf_u_nobodyhere000000.${secret}`,
      secret,
    ]
    for (const token of forged) expect((await accountWith(token)).status).toBe(401)
    expect((await accountWith(user.token)).status).toBe(200)
  })

  it('grants and removes credits with a reason in the ledger', async () => {
    const user = await createTestUser(10)
    const granted = await callWorker(
      `/admin/users/${user.user_id}/credits`,
      admin({ delta: 25, reason: 'monthly top-up' }),
    )
    expect(granted.status).toBe(200)
    const removed = await callWorker(
      `/admin/users/${user.user_id}/credits`,
      admin({ delta: -5, reason: 'correction' }),
    )
    const { data } = AdminUserResponseSchema.parse(await removed.json())
    expect(data.balance).toBe(30)
    expect(data.ledger.map((entry) => [entry.delta, entry.reason])).toEqual([
      [10, 'opening grant'],
      [25, 'admin: monthly top-up'],
      [-5, 'admin: correction'],
    ])
    expect(await balanceOf(user.token)).toBe(30)
  })

  it('refuses to take a balance below zero, and unknown users', async () => {
    const user = await createTestUser(10)
    const response = await callWorker(
      `/admin/users/${user.user_id}/credits`,
      admin({ delta: -11, reason: 'too much' }),
    )
    expect(response.status).toBe(400)
    expect(await balanceOf(user.token)).toBe(10)
    const unknown = await callWorker(
      '/admin/users/u_doesnotexist123/credits',
      admin({ delta: 5, reason: 'x' }),
    )
    expect(unknown.status).toBe(404)
  })
})

describe('GET /v1/account', () => {
  it('shows the balance and recent usage, newest first', async () => {
    const user = await createTestUser(50, 'Grace')
    await generate(user.token, { prompt: 'usage', quality: 'medium' })
    const response = await callWorker('/v1/account', {
      headers: { Authorization: `Bearer ${user.token}` },
    })
    const { data } = AccountResponseSchema.parse(await response.json())
    expect(data).toMatchObject({ name: 'Grace', balance: 44, user_id: user.user_id })
    expect(data.recent_usage[0]).toMatchObject({ delta: -6 })
  })
})

describe('GET /v1/models', () => {
  it('lists every model with sizes per ratio, prices and reference support', async () => {
    const response = await callWorker('/v1/models')
    const { data } = CatalogResponseSchema.parse(await response.json())
    const gptImage2 = data.models.find((model) => model.id === 'gpt-image-2')!
    expect(gptImage2).toMatchObject({
      provider: 'preview',
      default: true,
      prices: { low: 2, medium: 6, high: 12 },
      max_n: 10,
      takes_references: true,
    })
    expect(gptImage2.aspect_ratios.find((entry) => entry.ratio === '9:16')).toEqual({
      ratio: '9:16',
      width: 1024,
      height: 1824,
    })
    expect(data.models.map((model) => model.id)).toEqual([
      'gpt-image-2',
      'gpt-image-1.5',
      'gpt-image-1-mini',
    ])
  })
})
