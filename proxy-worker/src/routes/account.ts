import { Hono } from 'hono'
import type { Account } from '../../../shared'
import type { AppEnv } from '../env'
import { requireUser } from '../http/authenticate'

const RECENT_ENTRIES = 20

export const account = new Hono<AppEnv>()

account.get('/', requireUser, (c) => {
  const user = c.get('user')
  const data: Account = {
    user_id: user.id,
    name: user.name,
    balance: user.balance,
    recent_usage: user.ledger.slice(-RECENT_ENTRIES).reverse(),
  }
  return c.json({ code: 0, message: 'ok', data })
})
