import { Hono } from 'hono'
import * as z from 'zod/mini'
import {
  CreateUserSchema,
  CreditChangeSchema,
  LEDGER_PAGE_DEFAULT,
  LedgerPageQuerySchema,
  MAX_JSON_BODY_BYTES,
} from '../../../shared'
import { createUser, ledgerPage, readUser } from '../accounts/account-store'
import { changeCredits, recoverLostHolds } from '../accounts/credit-changes'
import type { AppEnv, UserRecord } from '../env'
import { ApiError } from '../http/api-error'
import { requireAdmin } from '../http/authenticate'
import { limitBody } from '../http/limit-body'
import { requireJson, valid } from '../http/validation'

const UserIdSchema = z.object({
  id: z.string().check(z.regex(/^u_[A-Za-z0-9_-]{8,40}$/, { error: 'No user has this id.' })),
})

async function adminView(
  store: KVNamespace,
  user: UserRecord,
  page: { entries?: string; before?: string } = {},
) {
  const { entries, from, total } = await ledgerPage(
    store,
    user,
    page.entries === undefined ? LEDGER_PAGE_DEFAULT : Number(page.entries),
    page.before === undefined ? undefined : Number(page.before),
  )
  return {
    user_id: user.id,
    name: user.name,
    balance: user.balance,
    created_at: user.created_at,
    ledger: entries,
    ledger_from: from,
    ledger_total: total,
  }
}

async function existingUser(store: KVNamespace, id: string): Promise<UserRecord> {
  const user = await readUser(store, id)
  if (!user) throw new ApiError('not_found', `No user has the id ${id}.`)
  return user
}

export const admin = new Hono<AppEnv>()

admin.use('*', requireAdmin)

admin.post(
  '/users',
  limitBody(MAX_JSON_BODY_BYTES),
  requireJson,
  valid('json', CreateUserSchema),
  async (c) => {
    const { name, credits } = c.req.valid('json')
    const { user, token } = await createUser(c.env.STORE, name, credits)
    return c.json(
      { code: 0, message: 'ok', data: { ...(await adminView(c.env.STORE, user)), token } },
      201,
    )
  },
)

admin.get(
  '/users/:id',
  valid('param', UserIdSchema),
  valid('query', LedgerPageQuerySchema),
  async (c) => {
    const found = await existingUser(c.env.STORE, c.req.valid('param').id)
    const user = await recoverLostHolds(c.env.STORE, found)
    const view = await adminView(c.env.STORE, user, c.req.valid('query'))
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
    await existingUser(c.env.STORE, id)
    const user = await changeCredits(
      c.env.STORE,
      id,
      { delta, reason: `admin: ${reason}` },
      (balance) => {
        if (balance + delta < 0) {
          throw new ApiError(
            'invalid_request',
            `That would leave ${balance + delta} credits: a balance cannot go below 0 (it is ${balance}).`,
          )
        }
      },
    ).catch((error) => {
      if (error instanceof ApiError) throw error
      console.error('credit change not saved', id, error)
      throw new ApiError(
        'storage_unavailable',
        'The change could not be saved, so the balance is as it was. Try again in a moment.',
      )
    })
    return c.json({ code: 0, message: 'ok', data: await adminView(c.env.STORE, user) })
  },
)
