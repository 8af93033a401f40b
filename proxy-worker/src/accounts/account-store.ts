import type { LedgerEntry } from '../../../shared'
import type { UserRecord } from '../env'
import { digestsMatch, randomToken, sha256Hex } from './token-hash'
import { withUserLock } from './user-lock'

const userKey = (userId: string) => `user:${userId}`
const tokenKey = (tokenHash: string) => `token:${tokenHash}`
const ledgerChunkKey = (userId: string, index: number) => `ledger:${userId}:${index}`

/** When the ledger kept in the user record grows past this, its oldest half moves to a chunk. */
export const LEDGER_TAIL_LIMIT = 200

export async function readUser(store: KVNamespace, userId: string): Promise<UserRecord | null> {
  return store.get<UserRecord>(userKey(userId), 'json')
}

export async function findUserByToken(
  store: KVNamespace,
  token: string,
): Promise<UserRecord | null> {
  const tokenHash = await sha256Hex(token)
  const userId = await store.get(tokenKey(tokenHash))
  const user = userId ? await readUser(store, userId) : null
  return user && digestsMatch(tokenHash, user.token_hash ?? '') ? user : null
}

export async function createUser(
  store: KVNamespace,
  name: string,
  credits: number,
): Promise<{ user: UserRecord; token: string }> {
  const token = randomToken('pf_')
  const tokenHash = await sha256Hex(token)
  const id = randomToken('u_', 12)
  const now = new Date().toISOString()
  const user: UserRecord = {
    id,
    name,
    created_at: now,
    token_hash: tokenHash,
    balance: credits,
    ledger:
      credits === 0
        ? []
        : [
            {
              id: crypto.randomUUID(),
              at: now,
              delta: credits,
              reason: 'opening grant',
              balance_after: credits,
            },
          ],
  }
  await store.put(userKey(id), JSON.stringify(user))
  await store.put(tokenKey(tokenHash), id)
  return { user, token }
}

export interface CreditChange {
  delta: number
  reason: string
  requestId?: string
}

/**
 * Applies a credit change under the user's lock, unless `allow` refuses it on the fresh balance.
 * The balance and its ledger live in one KV value, so they can never disagree.
 */
export async function changeCredits(
  store: KVNamespace,
  userId: string,
  change: CreditChange,
  allow: (balance: number) => void = () => {},
): Promise<UserRecord> {
  return withUserLock(userId, async () => {
    const user = await readUser(store, userId)
    if (!user) throw new Error(`user ${userId} vanished`)
    allow(user.balance)
    const balance = user.balance + change.delta
    const entry: LedgerEntry = {
      id: crypto.randomUUID(),
      at: new Date().toISOString(),
      delta: change.delta,
      reason: change.reason,
      balance_after: balance,
      ...(change.requestId ? { request_id: change.requestId } : {}),
    }
    const updated = await archiveOldEntries(store, {
      ...user,
      balance,
      ledger: [...user.ledger, entry],
    })
    await store.put(userKey(userId), JSON.stringify(updated))
    return updated
  })
}

/**
 * Keeps the user record small: the oldest entries go to an immutable chunk written before the
 * record that counts it, so a crash in between leaves an unreferenced chunk, never a double count.
 */
async function archiveOldEntries(store: KVNamespace, user: UserRecord): Promise<UserRecord> {
  if (user.ledger.length <= LEDGER_TAIL_LIMIT) return user
  const chunks = user.archived_chunks ?? 0
  const cut = user.ledger.length - LEDGER_TAIL_LIMIT / 2
  await store.put(ledgerChunkKey(user.id, chunks), JSON.stringify(user.ledger.slice(0, cut)))
  return { ...user, ledger: user.ledger.slice(cut), archived_chunks: chunks + 1 }
}

/** Every ledger entry of a user, oldest first: the archived chunks, then the record's own. */
export async function fullLedger(store: KVNamespace, user: UserRecord): Promise<LedgerEntry[]> {
  const chunks = await Promise.all(
    Array.from({ length: user.archived_chunks ?? 0 }, (_, index) =>
      store.get<LedgerEntry[]>(ledgerChunkKey(user.id, index), 'json'),
    ),
  )
  return [...chunks.flatMap((chunk) => chunk ?? []), ...user.ledger]
}
