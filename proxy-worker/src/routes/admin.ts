import { Hono } from 'hono'
import * as z from 'zod/mini'
import {
  CreateUserSchema,
  CreditChangeSchema,
  LEDGER_PAGE_DEFAULT,
  LedgerPageQuerySchema,
  MAX_JSON_BODY_BYTES,
  UsageQuerySchema,
  UserListQuerySchema,
  UserPatchSchema,
} from '../../../shared'
import { accountOf, createUser, listUserIds, rotateToken } from '../accounts/account-store'
import { usageCsv, usageReport, usageSpan } from '../accounts/usage-report'
import { type AppEnv, clockNow } from '../env'
import { ApiError } from '../http/api-error'
import { requireAdmin } from '../http/authenticate'
import { limitBody } from '../http/limit-body'
import { requireJson, valid } from '../http/validation'

const UserIdSchema = z.object({
  id: z.string().check(z.regex(/^u_[A-Za-z0-9_-]{8,40}$/, { error: 'No user has this id.' })),
})

const noUser = (id: string) => new ApiError('not_found', `No user has the id ${id}.`)

export const admin = new Hono<AppEnv>()

admin.use('*', requireAdmin)

admin.post(
  '/users',
  limitBody(MAX_JSON_BODY_BYTES),
  requireJson,
  valid('json', CreateUserSchema),
  async (c) => {
    const { name, credits } = c.req.valid('json')
    const { view, token } = await createUser(c.env, name, credits)
    return c.json({ code: 0, message: 'ok', data: { ...view, token } }, 201)
  },
)

const DEFAULT_PAGE = 50

/** A page of users with their balance, status, allowance, this month's use and last activity. */
admin.get('/users', valid('query', UserListQuerySchema), async (c) => {
  const { cursor, limit } = c.req.valid('query')
  const now = clockNow(c.env)
  const page = await listUserIds(c.env.STORE, cursor, limit ? Number(limit) : DEFAULT_PAGE).catch(
    () => {
      throw new ApiError(
        'invalid_request',
        'That cursor is not one this list gave out: start again without it.',
      )
    },
  )
  const users = await Promise.all(page.ids.map((id) => accountOf(c.env, id).adminSummary(id, now)))
  return c.json({
    code: 0,
    message: 'ok',
    data: { users: users.filter((user) => user !== null), cursor: page.cursor },
  })
})

admin.patch(
  '/users/:id',
  valid('param', UserIdSchema),
  limitBody(MAX_JSON_BODY_BYTES),
  requireJson,
  valid('json', UserPatchSchema),
  async (c) => {
    const { id } = c.req.valid('param')
    const view = await accountOf(c.env, id).update(id, c.req.valid('json'), clockNow(c.env))
    if (!view) throw noUser(id)
    return c.json({ code: 0, message: 'ok', data: view })
  },
)

/** A new token, shown once; the old one is refused from this moment. */
admin.post('/users/:id/token', valid('param', UserIdSchema), async (c) => {
  const { id } = c.req.valid('param')
  const rotated = await rotateToken(c.env, id, clockNow(c.env))
  if (!rotated) throw noUser(id)
  return c.json({ code: 0, message: 'ok', data: rotated })
})

/** Credits and images per user per day, from the ledgers; `?format=csv` downloads them. */
admin.get('/usage', valid('query', UsageQuerySchema), async (c) => {
  const query = c.req.valid('query')
  const report = await usageReport(
    c.env,
    usageSpan(clockNow(c.env), query.from, query.to),
    query.user,
  )
  if (query.format === 'csv') {
    return c.body(usageCsv(report.rows), 200, {
      'Content-Type': 'text/csv; charset=utf-8',
      'Content-Disposition': `attachment; filename="promptframe-usage-${report.from}-to-${report.to}.csv"`,
    })
  }
  return c.json({ code: 0, message: 'ok', data: report })
})

admin.get(
  '/users/:id',
  valid('param', UserIdSchema),
  valid('query', LedgerPageQuerySchema),
  async (c) => {
    const { id } = c.req.valid('param')
    const { entries, before } = c.req.valid('query')
    const view = await accountOf(c.env, id).ledger(
      id,
      entries === undefined ? LEDGER_PAGE_DEFAULT : Number(entries),
      before === undefined ? undefined : Number(before),
    )
    if (!view) throw noUser(id)
    return c.json({ code: 0, message: 'ok', data: view })
  },
)

admin.post(
  '/users/:id/credits',
  valid('param', UserIdSchema),
  limitBody(MAX_JSON_BODY_BYTES),
  requireJson,
  valid('json', CreditChangeSchema),
  async (c) => {
    const { id } = c.req.valid('param')
    const { delta, reason } = c.req.valid('json')
    const outcome = await accountOf(c.env, id).grant(id, delta, `admin: ${reason}`)
    if (!outcome) throw noUser(id)
    if (!outcome.ok) {
      throw new ApiError(
        'invalid_request',
        `That would leave ${outcome.balance + delta} credits: a balance cannot go below 0 (it is ${outcome.balance}).`,
      )
    }
    return c.json({ code: 0, message: 'ok', data: outcome.view })
  },
)
