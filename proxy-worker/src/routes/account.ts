import { Hono } from 'hono'
import type { Account } from '../../../shared'
import { recoverLostHolds } from '../accounts/credit-changes'
import type { AppEnv } from '../env'
import { requireUser } from '../http/authenticate'

const RECENT_ENTRIES = 20

export const account = new Hono<AppEnv>()

account.get('/', requireUser, async (c) => {
  const user = await recoverLostHolds(c.env.STORE, c.get('user'))
  const data: Account = {
    user_id: user.id,
    name: user.name,
    balance: user.balance,
    recent_usage: user.ledger.slice(-RECENT_ENTRIES).reverse(),
  }
  return c.json({ code: 0, message: 'ok', data })
})
