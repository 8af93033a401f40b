import { env, runInDurableObject } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import type { AccountRecord } from '../../proxy-worker/src/accounts/account-record'
import { accountOf } from '../../proxy-worker/src/accounts/account-store'
import type { Env } from '../../proxy-worker/src/env'
import {
  AdminUserSummaryResponseSchema,
  ErrorBodySchema,
  RotatedTokenResponseSchema,
  UsageReportResponseSchema,
  UserListResponseSchema,
} from '../../shared'
import {
  ADMIN_TOKEN,
  callWorker,
  createTestUser,
  generate,
  generateOk,
  jsonRequest,
  ledgerOf,
  store,
} from './worker-client'

const adminHeaders = { Authorization: `Bearer ${ADMIN_TOKEN}` }
const adminGet = (path: string, overrides: Partial<Env> = {}) =>
  callWorker(path, { headers: adminHeaders }, overrides)
const adminSend = (method: string, path: string, body: unknown, overrides: Partial<Env> = {}) =>
  callWorker(path, { ...jsonRequest(ADMIN_TOKEN, body), method }, overrides)
const patchUser = (id: string, body: unknown, overrides: Partial<Env> = {}) =>
  adminSend('PATCH', `/admin/users/${id}`, body, overrides)
const clockAt = (iso: string): Partial<Env> => ({ CLOCK: { now: () => Date.parse(iso) } })

async function expectError(response: Response, status: number, phrase: string) {
  expect(response.status).toBe(status)
  const body = ErrorBodySchema.parse(await response.json())
  expect(body.message).toContain(phrase)
  return body
}

async function summaryOf(id: string, overrides: Partial<Env> = {}) {
  const users: unknown[] = []
  let cursor: string | null = null
  do {
    const response = await adminGet(
      `/admin/users?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      overrides,
    )
    const page = UserListResponseSchema.parse(await response.json()).data
    users.push(...page.users)
    cursor = page.cursor
  } while (cursor)
  return (users as { user_id: string }[]).find((user) => user.user_id === id) as
    | ReturnType<typeof UserListResponseSchema.parse>['data']['users'][number]
    | undefined
}

/** Every route a designer's token opens, each a request that would charge or read. */
function userRoutes(token: string): [string, RequestInit][] {
  const auth = { Authorization: `Bearer ${token}` }
  return [
    ['/v1/account', { headers: auth }],
    ['/v1/images/generate', jsonRequest(token, { prompt: 'a kite' })],
    ['/v1/images/edit', jsonRequest(token, { prompt: 'a kite', references: [] })],
    ['/v1/images/generations', jsonRequest(token, { prompt: 'a kite', model: 'gpt-image-2' })],
    ['/v1/prompts/enhance', jsonRequest(token, { prompt: 'a kite' })],
    ['/v1/generations/00000000-0000-0000-0000-000000000000', { headers: auth }],
  ]
}

describe('listing users', () => {
  it('pages through every user with balance, status, allowance, this month’s use and last activity', async () => {
    const ada = await createTestUser(50, 'Ada')
    const grace = await createTestUser(7, 'Grace')
    await generateOk(ada.token, { prompt: 'a lighthouse', quality: 'medium', n: 2 })
    const seen = await summaryOf(ada.user_id)
    expect(seen).toMatchObject({
      name: 'Ada',
      balance: 38,
      disabled: false,
      monthly_allowance: null,
      spent_this_month: 12,
      images_this_month: 2,
    })
    expect(Date.parse(seen!.last_active!)).toBeGreaterThan(Date.now() - 60_000)
    expect(await summaryOf(grace.user_id)).toMatchObject({ balance: 7, last_active: null })

    // Pages of one: every user exactly once.
    const ids: string[] = []
    let cursor: string | null = null
    do {
      const response = await adminGet(
        `/admin/users?limit=1${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      )
      const page = UserListResponseSchema.parse(await response.json()).data
      expect(page.users.length).toBeLessThanOrEqual(1)
      ids.push(...page.users.map((user) => user.user_id))
      cursor = page.cursor
    } while (cursor)
    expect(ids).toContain(ada.user_id)
    expect(ids).toContain(grace.user_id)
    expect(new Set(ids).size).toBe(ids.length)
  })

  it('refuses a bad page size or cursor with a 400', async () => {
    for (const query of ['limit=0', 'limit=101', 'limit=ten', 'limit=-1'])
      await expectError(await adminGet(`/admin/users?${query}`), 400, 'limit must be')
    // KV's own cursors are opaque; one that could never be one is refused before KV sees it.
    await expectError(await adminGet('/admin/users?cursor=%3Cscript%3E'), 400, 'cursor')
  })
})

describe('changing a user', () => {
  it('renames, turns off and on, and sets an allowance; bad input changes nothing', async () => {
    const user = await createTestUser(20, 'Ada')
    const bad: [unknown, string][] = [
      [{}, 'Say what to change'],
      [{ disabled: 'yes' }, 'disabled must be true or false'],
      [{ monthly_allowance: -1 }, 'monthly_allowance must be'],
      [{ monthly_allowance: 1.5 }, 'monthly_allowance must be'],
      [{ name: '   ' }, 'Give the user a name'],
      [{ balance: 1000 }, 'balance'],
    ]
    for (const [body, phrase] of bad)
      await expectError(await patchUser(user.user_id, body), 400, phrase)
    expect(await summaryOf(user.user_id)).toMatchObject({
      name: 'Ada',
      balance: 20,
      disabled: false,
      monthly_allowance: null,
    })
    const renamed = await patchUser(user.user_id, { name: 'Ada L.', monthly_allowance: 300 })
    expect(AdminUserSummaryResponseSchema.parse(await renamed.json()).data).toMatchObject({
      name: 'Ada L.',
      monthly_allowance: 300,
      // A new allowance starts with the next month: this one's balance is as it was.
      balance: 20,
    })
    await expectError(await patchUser('u_nobodyhere0000', { disabled: true }), 404, 'No user')
    await expectError(await patchUser('not-an-id', { disabled: true }), 400, 'No user has this id')
    const text = await callWorker(`/admin/users/${user.user_id}`, {
      method: 'PATCH',
      headers: { ...adminHeaders, 'Content-Type': 'text/plain' },
      body: 'disabled',
    })
    expect(text.status).toBe(415)
  })

  it('answers 403 on every route to a disabled user, charges nothing, and lets them back in when enabled', async () => {
    const user = await createTestUser(30)
    await generateOk(user.token, { prompt: 'before', quality: 'low' })
    const before = await ledgerOf(user.user_id)
    await patchUser(user.user_id, { disabled: true })
    for (const [path, init] of userRoutes(user.token)) {
      const response = await callWorker(path, init)
      expect(response.status, path).toBe(403)
      const text = await response.text()
      expect(text, path).toContain('Your Promptframe access is turned off; ask your team admin.')
    }
    expect(await ledgerOf(user.user_id)).toEqual(before)
    expect(await summaryOf(user.user_id)).toMatchObject({ disabled: true, balance: 28 })

    await patchUser(user.user_id, { disabled: false })
    await generateOk(user.token, { prompt: 'after', quality: 'low' })
    expect((await ledgerOf(user.user_id)).balance).toBe(26)
  })

  it('is refused by the account itself while KV’s copy still says the user is on', async () => {
    const user = await createTestUser(30)
    const fresh = await store.get(`user:${user.user_id}`)
    await patchUser(user.user_id, { disabled: true })
    // KV elsewhere may trail by up to a minute: play that by putting the old record back.
    await store.put(`user:${user.user_id}`, fresh!)
    for (const [path, init] of userRoutes(user.token).filter(([path]) =>
      ['/v1/account', '/v1/images/generate', '/v1/prompts/enhance'].includes(path),
    ))
      expect((await callWorker(path, init)).status, path).toBe(403)
    expect((await ledgerOf(user.user_id)).balance).toBe(30)
  })
})

describe('rotating a token', () => {
  it('returns a new token once; the old one is refused at once, the new one works at once', async () => {
    const user = await createTestUser(30)
    const staleRecord = await store.get(`user:${user.user_id}`)
    const keyed = { 'Idempotency-Key': 'key-before-rotation' }
    const beforeRotation = { prompt: 'before the rotation', quality: 'low' }
    expect((await generate(user.token, beforeRotation, {}, keyed)).status).toBe(200)
    const response = await adminSend('POST', `/admin/users/${user.user_id}/token`, {})
    expect(response.status).toBe(200)
    const rotated = RotatedTokenResponseSchema.parse(await response.json()).data
    expect(rotated.token).toMatch(new RegExp(`^pf_${user.user_id}\\.`))
    expect(rotated.token).not.toBe(user.token)
    expect(rotated.balance).toBe(28)
    for (const [path, init] of userRoutes(user.token))
      expect((await callWorker(path, init)).status, path).toBe(401)
    await generateOk(rotated.token, { prompt: 'with the new token', quality: 'low' })

    // Where KV still holds the old hash: the old token is still refused, the new one still works,
    // and a key the old token used replays nothing to it.
    await store.put(`user:${user.user_id}`, staleRecord!)
    expect((await generate(user.token, beforeRotation, {}, keyed)).status).toBe(401)
    for (const [path, init] of userRoutes(user.token).filter(([path]) =>
      ['/v1/account', '/v1/images/generate'].includes(path),
    ))
      expect((await callWorker(path, init)).status, path).toBe(401)
    await generateOk(rotated.token, { prompt: 'still the new token', quality: 'low' })
    expect((await ledgerOf(user.user_id)).balance).toBe(24)
    await expectError(
      await adminSend('POST', '/admin/users/u_nobodyhere0000/token', {}),
      404,
      'No user',
    )
  })
})

describe('monthly allowance', () => {
  it('tops up exactly once when 20 requests arrive together at the start of a month', async () => {
    const user = await createTestUser(0)
    await patchUser(user.user_id, { monthly_allowance: 100 }, clockAt('2026-12-15T10:00:00Z'))
    await callWorker(
      `/admin/users/${user.user_id}/credits`,
      jsonRequest(ADMIN_TOKEN, { delta: 10, reason: 'December' }),
    )
    const january = clockAt('2027-01-01T00:00:00.200Z')
    const burst = await Promise.all(
      Array.from({ length: 20 }, (_, index) =>
        index % 2 === 0
          ? callWorker(
              '/v1/account',
              { headers: { Authorization: `Bearer ${user.token}` } },
              january,
            )
          : callWorker(
              '/v1/images/generate',
              jsonRequest(user.token, { prompt: `burst ${index}`, quality: 'low' }),
              january,
            ),
      ),
    )
    expect(burst.map((response) => response.status)).toEqual(Array(20).fill(200))
    const { ledger, balance } = await ledgerOf(user.user_id)
    const topUps = ledger.filter((entry) => entry.reason.startsWith('monthly allowance'))
    expect(topUps).toEqual([
      expect.objectContaining({
        delta: 90,
        reason: 'monthly allowance 2027-01',
        balance_after: 100,
      }),
    ])
    expect(balance).toBe(100 - 10 * 2)

    // A request still timed in December, or another in January, changes nothing more.
    await callWorker(
      '/v1/account',
      { headers: { Authorization: `Bearer ${user.token}` } },
      clockAt('2026-12-31T23:59:59.900Z'),
    )
    await callWorker(
      '/v1/account',
      { headers: { Authorization: `Bearer ${user.token}` } },
      clockAt('2027-01-20T12:00:00Z'),
    )
    expect(
      (await ledgerOf(user.user_id)).ledger.filter((entry) =>
        entry.reason.startsWith('monthly allowance'),
      ),
    ).toHaveLength(1)

    // February: once more, from the admin's list as much as from a request.
    expect(await summaryOf(user.user_id, clockAt('2027-02-01T08:00:00Z'))).toMatchObject({
      balance: 100,
    })
    expect(
      (await ledgerOf(user.user_id)).ledger.filter((entry) =>
        entry.reason.startsWith('monthly allowance'),
      ),
    ).toHaveLength(2)
  })

  it('never lowers a balance above the allowance, and skips a user who is turned off', async () => {
    const rich = await createTestUser(500)
    await patchUser(rich.user_id, { monthly_allowance: 100 }, clockAt('2026-12-15T10:00:00Z'))
    await callWorker(
      '/v1/account',
      { headers: { Authorization: `Bearer ${rich.token}` } },
      clockAt('2027-01-02T00:00:00Z'),
    )
    expect((await ledgerOf(rich.user_id)).balance).toBe(500)

    const away = await createTestUser(0)
    await patchUser(
      away.user_id,
      { monthly_allowance: 100, disabled: true },
      clockAt('2026-12-15T10:00:00Z'),
    )
    await summaryOf(away.user_id, clockAt('2027-01-02T00:00:00Z'))
    expect((await ledgerOf(away.user_id)).balance).toBe(0)
  })

  it('tops up by the old allowance when a change of it is the month’s first use; the new one counts from the next', async () => {
    const user = await createTestUser(0)
    await patchUser(user.user_id, { monthly_allowance: 100 }, clockAt('2026-12-15T10:00:00Z'))
    const changed = await patchUser(
      user.user_id,
      { monthly_allowance: 300 },
      clockAt('2027-01-03T09:00:00Z'),
    )
    expect(changed.status).toBe(200)
    expect((await ledgerOf(user.user_id)).balance).toBe(100)
    await summaryOf(user.user_id, clockAt('2027-02-01T08:00:00Z'))
    expect((await ledgerOf(user.user_id)).balance).toBe(300)
  })
})

describe('usage', () => {
  it('gives credits and images per user per day, equal to the ledgers, as JSON and CSV', async () => {
    const ada = await createTestUser(200, 'Ada, "the first"')
    const grace = await createTestUser(200, '=HYPERLINK("x")')
    await generateOk(ada.token, { prompt: 'one', quality: 'high', n: 2 })
    await generateOk(ada.token, { prompt: 'two', quality: 'low' })
    await generateOk(grace.token, { prompt: 'three', quality: 'medium', n: 3 })
    const today = new Date().toISOString().slice(0, 10)
    const response = await adminGet(`/admin/usage?from=${today}&to=${today}`)
    const report = UsageReportResponseSchema.parse(await response.json()).data
    const mine = report.rows.filter((row) => [ada.user_id, grace.user_id].includes(row.user_id))
    for (const user of [ada, grace]) {
      const { ledger } = await ledgerOf(user.user_id)
      const spent = -ledger
        .filter((entry) => entry.request_id && entry.at.startsWith(today))
        .reduce((sum, entry) => sum + entry.delta, 0)
      expect(mine.find((row) => row.user_id === user.user_id)?.credits).toBe(spent)
    }
    expect(mine.map((row) => [row.user_id, row.credits, row.images])).toEqual(
      expect.arrayContaining([
        [ada.user_id, 26, 3],
        [grace.user_id, 18, 3],
      ]),
    )
    expect(report.totals.credits).toBe(report.rows.reduce((sum, row) => sum + row.credits, 0))

    const csv = await adminGet(`/admin/usage?from=${today}&to=${today}&format=csv`)
    expect(csv.headers.get('Content-Type')).toBe('text/csv; charset=utf-8')
    expect(csv.headers.get('Content-Disposition')).toBe(
      `attachment; filename="promptframe-usage-${today}-to-${today}.csv"`,
    )
    const text = await csv.text()
    const lines = text.trimEnd().split('\r\n')
    expect(lines[0]).toBe('day,user_id,name,credits,images')
    expect(text).toContain(`${today},${ada.user_id},"Ada, ""the first""",26,3`)
    expect(text).toContain(`${today},${grace.user_id},"'=HYPERLINK(""x"")",18,3`)
    const credits = lines.slice(1).reduce((sum, line) => sum + Number(line.split(',').at(-2)), 0)
    expect(credits).toBe(report.totals.credits)

    const single = UsageReportResponseSchema.parse(
      await (await adminGet(`/admin/usage?from=${today}&to=${today}&user=${ada.user_id}`)).json(),
    ).data
    expect(single.rows).toEqual([expect.objectContaining({ user_id: ada.user_id, credits: 26 })])
  })

  it('covers the last 30 days by default and refuses a bad span with a 400', async () => {
    const report = UsageReportResponseSchema.parse(
      await (await adminGet('/admin/usage', clockAt('2026-12-31T12:00:00Z'))).json(),
    ).data
    expect([report.from, report.to]).toEqual(['2026-12-02', '2026-12-31'])
    const bad: [string, string][] = [
      ['from=2026-13-01', 'from is not a day'],
      ['from=12/01/2026', 'from must be a day written YYYY-MM-DD'],
      ['from=2026-12-10&to=2026-12-01', 'from must be on or before to'],
      ['from=2020-01-01&to=2026-01-01', 'at most 366 days'],
      ['format=xml', 'format must be json or csv'],
      ['user=nobody', 'No user has this id'],
    ]
    for (const [query, phrase] of bad)
      await expectError(await adminGet(`/admin/usage?${query}`), 400, phrase)
  })
})

describe('the admin API', () => {
  it('wants the admin token on every route', async () => {
    const user = await createTestUser(5)
    const routes: [string, string][] = [
      ['GET', '/admin/users'],
      ['PATCH', `/admin/users/${user.user_id}`],
      ['POST', `/admin/users/${user.user_id}/token`],
      ['GET', '/admin/usage'],
      ['GET', '/admin/usage?format=csv'],
    ]
    for (const [method, path] of routes) {
      for (const headers of [{}, { Authorization: `Bearer ${user.token}` }] as Record<
        string,
        string
      >[]) {
        const response = await callWorker(path, {
          method,
          headers: { ...headers, 'Content-Type': 'application/json' },
          body: method === 'GET' ? undefined : JSON.stringify({ disabled: true }),
        })
        expect(response.status, `${method} ${path}`).toBe(401)
      }
    }
    const record = (await store.get(`user:${user.user_id}`, 'json')) as AccountRecord
    expect(record.disabled).toBeFalsy()
    expect(env).toBeDefined()
  })
})

describe('accounts from before the console', () => {
  it('gain the new columns and their usage from the ledger, keeping balance and ledger', async () => {
    const user = await createTestUser(60)
    await generateOk(user.token, { prompt: 'old times', quality: 'medium', n: 2 })
    const before = await ledgerOf(user.user_id)
    await runInDurableObject(accountOf(env as unknown as Env, user.user_id), (instance, state) => {
      // The object as it was stored before: no status, allowance or activity, no usage table.
      state.storage.sql.exec(`
        ALTER TABLE account DROP COLUMN disabled;
        ALTER TABLE account DROP COLUMN monthly_allowance;
        ALTER TABLE account DROP COLUMN allowance_month;
        ALTER TABLE account DROP COLUMN last_active;
        DELETE FROM usage_days;
      `)
      ;(instance as unknown as { prepareSchema(): void }).prepareSchema()
    })
    expect(await ledgerOf(user.user_id)).toEqual(before)
    expect(await summaryOf(user.user_id)).toMatchObject({
      balance: 48,
      disabled: false,
      monthly_allowance: null,
      spent_this_month: 12,
    })
  })
})

describe('the console page', () => {
  it('is served to anyone, holds no data, and may load only its own script and style', async () => {
    const page = await callWorker('/admin')
    expect(page.status).toBe(200)
    expect(page.headers.get('Content-Type')).toBe('text/html; charset=utf-8')
    const policy = page.headers.get('Content-Security-Policy')!
    expect(policy).toContain("default-src 'none'")
    expect(policy).toContain("script-src 'self'")
    expect(policy).toContain("frame-ancestors 'none'")
    expect(policy).not.toContain('unsafe-inline')
    const html = await page.text()
    expect(html).toContain('<script type="module" src="/admin/console.js"></script>')
    expect(html).not.toMatch(/<script>|<style>| style=/)
    expect(html).not.toContain('u_')
    for (const [path, type] of [
      ['/admin/console.js', 'text/javascript; charset=utf-8'],
      ['/admin/console.css', 'text/css; charset=utf-8'],
    ]) {
      const file = await callWorker(path)
      expect(file.status, path).toBe(200)
      expect(file.headers.get('Content-Type')).toBe(type)
      expect(file.headers.get('X-Content-Type-Options')).toBe('nosniff')
      expect((await file.text()).length).toBeGreaterThan(500)
    }
    // Nothing else under /admin opens without the admin token.
    expect((await callWorker('/admin/console.map')).status).toBe(401)
  })
})
