import type { LedgerEntry } from '../../../shared'
import type { UserRecord } from '../env'
import { withIsolateLock } from './isolate-lock'
import { putWithRetry } from './put-with-retry'
import { digestsMatch, randomToken, sha256Hex } from './token-hash'

const userKey = (userId: string) => `user:${userId}`
const ledgerChunkKey = (userId: string, index: number) => `ledger:${userId}:${index}`

/**
 * When the ledger kept in the user record grows past this, its oldest half moves to a chunk. The
 * record is read and written by every request, so it stays small; the account view shows 20.
 */
export const LEDGER_TAIL_LIMIT = 50

/**
 * A token names its user, so authentication is one KV read: `pf_<user id>.<secret>`. The user
 * record keeps only the token's SHA-256, which is what proves the secret.
 */
const TOKEN_PATTERN = /^pf_(u_[A-Za-z0-9_-]{8,40})\.[A-Za-z0-9_-]{32,100}$/

/** A record read within this long may stand in for a fresh read, if nothing changed it since. */
const KNOWN_RECORD_MAX_AGE_MS = 2000

/** Per user, how many of this isolate's writes of the record have landed. */
const landedWrites = new Map<string, number>()
/** When each record object was read, and how many writes had landed by then. */
const readStamps = new WeakMap<UserRecord, { landed: number; at: number }>()

function stamp(user: UserRecord, landed: number): UserRecord {
  readStamps.set(user, { landed, at: Date.now() })
  return user
}

export async function readUser(store: KVNamespace, userId: string): Promise<UserRecord | null> {
  const landed = landedWrites.get(userId) ?? 0
  const user = await store.get<UserRecord>(userKey(userId), 'json')
  return user && stamp(user, landed)
}

/**
 * The user's record as it stands now, for use under the user's lock: `known` when it was read
 * moments ago and no write of this isolate has landed since, otherwise a fresh read. Saves the
 * second read of a request that just authenticated, without ever acting on a record this isolate
 * has since changed.
 */
async function currentUser(
  store: KVNamespace,
  userId: string,
  known?: UserRecord,
): Promise<UserRecord | null> {
  const readStamp = known && readStamps.get(known)
  const fresh =
    readStamp &&
    known.id === userId &&
    readStamp.landed === (landedWrites.get(userId) ?? 0) &&
    Date.now() - readStamp.at <= KNOWN_RECORD_MAX_AGE_MS
  return fresh ? known : readUser(store, userId)
}

export async function findUserByToken(
  store: KVNamespace,
  token: string,
): Promise<UserRecord | null> {
  const userId = TOKEN_PATTERN.exec(token)?.[1]
  if (!userId) return null
  const [tokenHash, user] = await Promise.all([sha256Hex(token), readUser(store, userId)])
  return user && digestsMatch(tokenHash, user.token_hash ?? '') ? user : null
}

export async function createUser(
  store: KVNamespace,
  name: string,
  credits: number,
): Promise<{ user: UserRecord; token: string }> {
  const id = randomToken('u_', 12)
  const token = `pf_${id}.${randomToken('', 32)}`
  const now = new Date().toISOString()
  const user: UserRecord = {
    id,
    name,
    created_at: now,
    token_hash: await sha256Hex(token),
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
  return { user, token }
}

export interface CreditChange {
  delta: number
  reason: string
  requestId?: string
}

export interface PendingCreditChange {
  /** The record as it will be once the change is saved. */
  user: UserRecord
  /** Settles when the change is saved; the user's lock is held until then. */
  saved: Promise<void>
}

function withLedgerEntry(user: UserRecord, change: CreditChange): UserRecord {
  const balance = user.balance + change.delta
  const entry: LedgerEntry = {
    id: crypto.randomUUID(),
    at: new Date().toISOString(),
    delta: change.delta,
    reason: change.reason,
    balance_after: balance,
    ...(change.requestId ? { request_id: change.requestId } : {}),
  }
  return { ...user, balance, ledger: [...user.ledger, entry] }
}

async function saveUser(store: KVNamespace, user: UserRecord): Promise<void> {
  try {
    const record = await archiveOldEntries(store, user)
    await putWithRetry(store, userKey(user.id), JSON.stringify(record))
  } finally {
    // Counted even when the write failed: its outcome is unknown, so no earlier read may stand in.
    landedWrites.set(user.id, (landedWrites.get(user.id) ?? 0) + 1)
  }
}

/**
 * Decides a credit change under the user's lock, unless `allow` refuses it on the current balance,
 * and answers as soon as it is decided: the caller may start work while the write is in flight,
 * and must await `saved` before treating the change as done. Nothing else of this isolate touches
 * the user's balance until it lands. The balance and its ledger live in one KV value, so they can
 * never disagree.
 */
export function beginCreditChange(
  store: KVNamespace,
  userId: string,
  change: CreditChange,
  allow: (balance: number) => void = () => {},
  known?: UserRecord,
): Promise<PendingCreditChange> {
  return new Promise((decided, refused) => {
    withIsolateLock(userId, async () => {
      const user = await currentUser(store, userId, known)
      if (!user) throw new Error(`user ${userId} vanished`)
      allow(user.balance)
      const updated = withLedgerEntry(user, change)
      const saved = saveUser(store, updated)
      decided({ user: updated, saved })
      await saved.catch(() => {})
    }).catch(refused)
  })
}

/** Applies a credit change under the user's lock, unless `allow` refuses it on the fresh balance. */
export async function changeCredits(
  store: KVNamespace,
  userId: string,
  change: CreditChange,
  allow?: (balance: number) => void,
): Promise<UserRecord> {
  const { user, saved } = await beginCreditChange(store, userId, change, allow)
  await saved
  return user
}

/**
 * Keeps the user record small: the oldest entries go to an immutable chunk written before the
 * record that counts it, so a crash in between leaves an unreferenced chunk, never a double count.
 */
async function archiveOldEntries(store: KVNamespace, user: UserRecord): Promise<UserRecord> {
  if (user.ledger.length <= LEDGER_TAIL_LIMIT) return user
  const chunks = user.archived_chunks ?? 0
  const cut = user.ledger.length - LEDGER_TAIL_LIMIT / 2
  await putWithRetry(
    store,
    ledgerChunkKey(user.id, chunks),
    JSON.stringify(user.ledger.slice(0, cut)),
  )
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
