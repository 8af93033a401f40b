import { userIdOfToken } from '../../../shared'
import type { Env } from '../env'
import { type AccountRecord, USER_PREFIX, userKey } from './account-record'
import { digestsMatch, randomToken, sha256Hex } from './token-hash'
import type { AccountView, UserAccount } from './user-account'

/** The user's account object: the single writer of their credits. */
export function accountOf(env: Env, userId: string): DurableObjectStub<UserAccount> {
  return env.ACCOUNTS.get(env.ACCOUNTS.idFromName(userId))
}

/**
 * The user a token belongs to, and the token's hash. KV answers first; when its copy holds another
 * hash (the token was just rotated, and KV has not caught up here), the user's account object,
 * which is the truth, decides.
 */
export async function findUserByToken(
  env: Env,
  token: string,
): Promise<{ user: AccountRecord; tokenHash: string } | null> {
  const userId = userIdOfToken(token)
  if (!userId) return null
  const [tokenHash, user] = await Promise.all([
    sha256Hex(token),
    env.STORE.get<AccountRecord>(userKey(userId), 'json'),
  ])
  if (!user) return null
  if (digestsMatch(tokenHash, user.token_hash ?? '')) return { user, tokenHash }
  return (await accountOf(env, userId).verifyToken(userId, tokenHash)) ? { user, tokenHash } : null
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

/** A new token for the user, returned once; the old one is refused from now on. */
export async function rotateToken(env: Env, userId: string, now: number) {
  const token = `pf_${userId}.${randomToken('', 32)}`
  const view = await accountOf(env, userId).rotateToken(userId, await sha256Hex(token), now)
  return view ? { ...view, token } : null
}

/** Every user id in KV, a page at a time (KV lists new keys within about a minute everywhere). */
export async function listUserIds(
  store: KVNamespace,
  cursor: string | undefined,
  limit: number,
): Promise<{ ids: string[]; cursor: string | null }> {
  const page = await store.list({ prefix: USER_PREFIX, cursor, limit })
  return {
    ids: page.keys.map((key) => key.name.slice(USER_PREFIX.length)),
    cursor: page.list_complete ? null : page.cursor,
  }
}
