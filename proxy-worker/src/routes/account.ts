import { Hono } from 'hono'
import type { Account } from '../../../shared'
import { accountOf } from '../accounts/account-store'
import type { AppEnv } from '../env'
import { ApiError } from '../http/api-error'
import { refusalError, requireUser } from '../http/authenticate'

const RECENT_ENTRIES = 20

export const account = new Hono<AppEnv>()

/** The designer's balance and recent usage, from their account object: never a stale copy. */
account.get('/', requireUser, async (c) => {
  const user = c.get('user')
  const summary = await accountOf(c.env, user.id).summary(user.id, RECENT_ENTRIES, c.get('access'))
  if ('refused' in summary) {
    if (summary.refused === 'unknown_user')
      throw new ApiError('not_found', 'This account no longer exists. Ask your team admin.')
    throw refusalError(summary.refused)
  }
  const data: Account = summary
  return c.json({ code: 0, message: 'ok', data })
})
