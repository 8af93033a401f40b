import { userIdOfToken } from '../../../shared'
import type { Env } from '../env'
import { type AccountRecord, userKey } from './account-record'
import { digestsMatch, randomToken, sha256Hex } from './token-hash'
import type { AccountView, UserAccount } from './user-account'

/** The user's account object: the single writer of their credits. */
export function accountOf(env: Env, userId: string): DurableObjectStub<UserAccount> {
  return env.ACCOUNTS.get(env.ACCOUNTS.idFromName(userId))
}

export async function findUserByToken(
  store: KVNamespace,
  token: string,
): Promise<AccountRecord | null> {
  const userId = userIdOfToken(token)
  if (!userId) return null
  const [tokenHash, user] = await Promise.all([
    sha256Hex(token),
    store.get<AccountRecord>(userKey(userId), 'json'),
  ])
  return user && digestsMatch(tokenHash, user.token_hash ?? '') ? user : null
}

export async function createUser(
  env: Env,
  name: string,
  credits: number,
): Promise<{ view: AccountView; token: string }> {
  const id = randomToken('u_', 12)
  const token = `pf_${id}.${randomToken('', 32)}`
  const view = await accountOf(env, id).create({
    id,
    name,
    tokenHash: await sha256Hex(token),
    credits,
  })
  return { view, token }
}
