import type { LedgerEntry } from '../../../shared'

/**
 * A user's record in Workers KV, as each user's account object writes it through: what
 * authentication reads (one read per request) and what exports and backups see. The account
 * object's own storage is the truth. This copy trails it by at most about 10 s for credits; a
 * change of token or access is written at once.
 */
export interface AccountRecord {
  id: string
  name: string
  created_at: string
  /** SHA-256 of the user's token, hex; the token itself is never stored. */
  token_hash: string
  balance: number
  /** Turned off by the team admin: authentication answers 403. */
  disabled?: boolean
  monthly_allowance?: number | null
  /** The newest ledger entries; older ones are archived in chunks of 25 (ledger:<id>:0 … n-1). */
  ledger: LedgerEntry[]
  archived_chunks?: number
  /**
   * Credits held by requests still running, by request id: written before the account objects
   * existed, and read when such a user is first loaded.
   */
  holds?: Record<string, { credits: number; until: number }>
}

export const USER_PREFIX = 'user:'
export const userKey = (userId: string) => `${USER_PREFIX}${userId}`
export const ledgerChunkKey = (userId: string, index: number) => `ledger:${userId}:${index}`

/** The record, and with `withFullLedger` every archived entry before its tail, oldest first. */
export async function readAccountRecord(
  store: KVNamespace,
  userId: string,
  withFullLedger: boolean,
): Promise<(AccountRecord & { fullLedger: LedgerEntry[] }) | null> {
  const record = await store.get<AccountRecord>(userKey(userId), 'json')
  if (!record) return null
  if (!withFullLedger) return { ...record, fullLedger: record.ledger }
  const chunks = await Promise.all(
    Array.from({ length: record.archived_chunks ?? 0 }, (_, index) =>
      store.get<LedgerEntry[]>(ledgerChunkKey(userId, index), 'json'),
    ),
  )
  return { ...record, fullLedger: [...chunks.flatMap((chunk) => chunk ?? []), ...record.ledger] }
}
