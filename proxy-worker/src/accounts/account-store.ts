import type { LedgerEntry } from '../../../shared'
import type { UserRecord } from '../env'
import { digestsMatch, randomToken, sha256Hex } from './token-hash'

export const userKey = (userId: string) => `user:${userId}`
export const ledgerChunkKey = (userId: string, index: number) => `ledger:${userId}:${index}`

/**
 * When the ledger kept in the user record grows past this, its oldest half moves to a chunk. The
 * record is read and written by every request, so it stays small; the account view shows 20.
 */
export const LEDGER_TAIL_LIMIT = 50
/** Every archived chunk holds exactly this many entries, so a ledger position names its chunk. */
export const LEDGER_CHUNK_SIZE = LEDGER_TAIL_LIMIT / 2

/**
 * A token names its user, so authentication is one KV read: `pf_<user id>.<secret>`. The user
 * record keeps only the token's SHA-256, which is what proves the secret.
 */
const TOKEN_PATTERN = /^pf_(u_[A-Za-z0-9_-]{8,40})\.[A-Za-z0-9_-]{32,100}$/

/** A record read within this long may stand in for a fresh read, if nothing changed it since. */
const KNOWN_RECORD_MAX_AGE_MS = 2000

/** Per user, how many of this isolate's writes of the record have settled. */
const landedWrites = new Map<string, number>()
/** When each record object was read, and how many writes had settled by then. */
const readStamps = new WeakMap<UserRecord, { landed: number; at: number }>()

function stamp(user: UserRecord, landed: number): UserRecord {
  readStamps.set(user, { landed, at: Date.now() })
  return user
}

/** Counted when a write of the user's record settles, landed or not: no earlier read may stand in. */
export function noteWriteSettled(userId: string): void {
  landedWrites.set(userId, (landedWrites.get(userId) ?? 0) + 1)
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
export async function currentUser(
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

export interface LedgerPage {
  /** Entries `from` … `from + entries.length - 1` of `total`, oldest first. */
  entries: LedgerEntry[]
  from: number
  total: number
}

/**
 * Up to `count` ledger entries that come before position `before` (default: the end), reading
 * only the archived chunks that hold them.
 */
export async function ledgerPage(
  store: KVNamespace,
  user: UserRecord,
  count: number,
  before?: number,
): Promise<LedgerPage> {
  const archived = (user.archived_chunks ?? 0) * LEDGER_CHUNK_SIZE
  const total = archived + user.ledger.length
  const end = Math.min(before ?? total, total)
  const from = Math.max(0, end - count)
  const firstChunk = Math.floor(from / LEDGER_CHUNK_SIZE)
  const chunkEnd = Math.ceil(Math.min(end, archived) / LEDGER_CHUNK_SIZE)
  const chunks = await Promise.all(
    Array.from({ length: Math.max(0, chunkEnd - firstChunk) }, (_, i) =>
      store.get<LedgerEntry[]>(ledgerChunkKey(user.id, firstChunk + i), 'json'),
    ),
  )
  const span = [...chunks.flatMap((chunk) => chunk ?? []), ...user.ledger]
  const spanStart = Math.min(firstChunk * LEDGER_CHUNK_SIZE, archived)
  return { entries: span.slice(from - spanStart, end - spanStart), from, total }
}
