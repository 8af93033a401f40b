import type { LedgerEntry } from '../../../shared'
import type { UserRecord } from '../env'
import {
  currentUser,
  LEDGER_CHUNK_SIZE,
  LEDGER_TAIL_LIMIT,
  ledgerChunkKey,
  noteWriteSettled,
  userKey,
} from './account-store'
import { withIsolateLock } from './isolate-lock'

export interface CreditChange {
  delta: number
  reason: string
  requestId?: string
}

export interface PendingCreditChange {
  /** The record as it is once this change is applied. */
  user: UserRecord
  /** Settles when a write holding the change has landed; rejects when none could be written. */
  saved: Promise<void>
}

/**
 * A user's record as this isolate has decided it. Changes are applied here at once, under no lock,
 * and one write at a time saves all that are not saved yet. KV takes one write per key per second,
 * so a designer's burst of requests shares a write or two instead of queueing a second apart.
 */
interface OpenAccount {
  record: UserRecord
  /** How many changes `record` holds, and how many of them a landed write holds. */
  decided: number
  saved: number
  writer: { since: number } | null
  /** Why the last write failed for good; every change it did not save is void. */
  failure: unknown
}

const openAccounts = new Map<string, OpenAccount>()

/** KV refuses a second write to one key within a second (429); the retry carries every newer change. */
const WRITE_ATTEMPTS = 3
const FIRST_RETRY_MS = 1000
/** A write still unsettled after every attempt could have run belongs to a request that is gone. */
const STALLED_WRITE_MS = 10_000
const MAX_POLL_MS = 10

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

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

function openAccount(
  store: KVNamespace,
  userId: string,
  known: UserRecord | undefined,
): Promise<OpenAccount> {
  return withIsolateLock(userId, async () => {
    const open = openAccounts.get(userId)
    if (open) return open
    const record = await currentUser(store, userId, known)
    if (!record) throw new Error(`user ${userId} vanished`)
    const account: OpenAccount = {
      record,
      decided: 0,
      saved: 0,
      writer: null,
      failure: null,
    }
    openAccounts.set(userId, account)
    return account
  })
}

function forget(account: OpenAccount): void {
  if (openAccounts.get(account.record.id) === account) openAccounts.delete(account.record.id)
}

/** Once everything decided is saved, later requests read the record afresh and see other isolates' writes. */
function closeIfSettled(account: OpenAccount): void {
  if (!account.writer && account.saved >= account.decided) forget(account)
}

/**
 * Moves the oldest entries to immutable chunks of LEDGER_CHUNK_SIZE, each written before the
 * record that counts it, so a crash in between leaves an unreferenced chunk, never a double count.
 */
async function archiveOldEntries(store: KVNamespace, account: OpenAccount): Promise<void> {
  const { record } = account
  const chunkCount = Math.floor((record.ledger.length - LEDGER_TAIL_LIMIT / 2) / LEDGER_CHUNK_SIZE)
  if (record.ledger.length <= LEDGER_TAIL_LIMIT || chunkCount <= 0) return
  const first = record.archived_chunks ?? 0
  await Promise.all(
    Array.from({ length: chunkCount }, (_, i) =>
      store.put(
        ledgerChunkKey(account.record.id, first + i),
        JSON.stringify(record.ledger.slice(i * LEDGER_CHUNK_SIZE, (i + 1) * LEDGER_CHUNK_SIZE)),
      ),
    ),
  )
  // Changes decided meanwhile only appended entries, so the archived ones are still the first.
  account.record = {
    ...account.record,
    ledger: account.record.ledger.slice(chunkCount * LEDGER_CHUNK_SIZE),
    archived_chunks: first + chunkCount,
  }
}

/**
 * Writes the newest record, and after a failure tries again with whatever was decided meanwhile.
 * Safe because the value is a whole state, not a change: landing it twice leaves the same state.
 */
async function writeLatest(store: KVNamespace, account: OpenAccount): Promise<void> {
  const writer = { since: Date.now() }
  account.writer = writer
  try {
    for (let attempt = 1; ; attempt++) {
      try {
        await archiveOldEntries(store, account)
        const holds = account.decided
        await store.put(userKey(account.record.id), JSON.stringify(account.record))
        if (account.writer === writer) account.saved = Math.max(account.saved, holds)
        return
      } catch (error) {
        if (attempt < WRITE_ATTEMPTS && account.writer === writer) {
          await sleep(FIRST_RETRY_MS * attempt)
          continue
        }
        if (account.writer === writer) {
          account.failure = error
          forget(account)
        }
        return
      }
    }
  } finally {
    if (account.writer === writer) account.writer = null
    noteWriteSettled(account.record.id)
    closeIfSettled(account)
  }
}

/**
 * Waits until change number `version` is saved. The first to find no write under way starts one;
 * the others poll, because workerd forbids resolving one request's promise from another's context.
 */
async function saveThrough(store: KVNamespace, account: OpenAccount, version: number) {
  for (let pause = 1; ; pause = Math.min(pause * 2, MAX_POLL_MS)) {
    if (account.saved >= version) return
    if (account.failure) throw account.failure
    const writer = account.writer
    if (!writer || Date.now() - writer.since > STALLED_WRITE_MS) await writeLatest(store, account)
    else await sleep(pause)
  }
}

/**
 * Decides a credit change at once, unless `allow` refuses it on the current balance, and answers
 * before it is written: the caller may start work while the write is in flight, and must await
 * `saved` before treating the change as done. The balance and its ledger live in one KV value, so
 * they can never disagree. `known` is a record of the user read moments ago, which spares a read.
 */
export async function beginCreditChange(
  store: KVNamespace,
  userId: string,
  change: CreditChange,
  allow: (balance: number) => void = () => {},
  known?: UserRecord,
): Promise<PendingCreditChange> {
  for (;;) {
    const account = openAccounts.get(userId) ?? (await openAccount(store, userId, known))
    // Checked and applied with no await in between, so no other change can slip past the check.
    if (openAccounts.get(userId) !== account) continue
    try {
      allow(account.record.balance)
    } catch (refusal) {
      closeIfSettled(account)
      throw refusal
    }
    account.record = withLedgerEntry(account.record, change)
    const version = ++account.decided
    return { user: account.record, saved: saveThrough(store, account, version) }
  }
}

/** Applies a credit change and waits until it is saved, unless `allow` refuses it. */
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
