import { Hono } from 'hono'
import * as z from 'zod/mini'
import {
  CreateUserSchema,
  CreditChangeSchema,
  LEDGER_PAGE_DEFAULT,
  LedgerPageQuerySchema,
  MAX_JSON_BODY_BYTES,
} from '../../../shared'
import { accountOf, createUser } from '../accounts/account-store'
import type { AppEnv } from '../env'
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
