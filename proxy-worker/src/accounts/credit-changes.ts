import type { LedgerEntry } from '../../../shared'
import type { CreditHold, UserRecord } from '../env'
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
  /** Keeps the credits this change takes on hold for `requestId` until then (epoch ms). */
  holdUntil?: number
  /** Ends the hold of `requestId`. Dropped if that hold was already given back as lost. */
  release?: boolean
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

/**
 * Per user, the requests of this isolate that delivered everything and whose hold is still in the
 * stored record. The next write of the record drops those holds, so a designer's next request
 * usually carries the release and it costs no write of its own.
 */
const settledRequests = new Map<string, Set<string>>()

function withSettledHoldsDropped(user: UserRecord): UserRecord {
  let result = user
  for (const requestId of settledRequests.get(user.id) ?? []) {
    if (result.holds?.[requestId]) result = withoutHold(result, requestId)
  }
  return result
}

/** Drops from the settled set every request whose hold `record`, as saved, no longer has. */
function forgetReleased(record: UserRecord): void {
  const settled = settledRequests.get(record.id)
  if (!settled) return
  for (const requestId of settled) if (!record.holds?.[requestId]) settled.delete(requestId)
  if (settled.size === 0) settledRequests.delete(record.id)
}

/** KV refuses a second write to one key within a second (429); the retry carries every newer change. */
const WRITE_ATTEMPTS = 3
const FIRST_RETRY_MS = 1000
/** A write still unsettled after every attempt could have run belongs to a request that is gone. */
const STALLED_WRITE_MS = 10_000
const MAX_POLL_MS = 10
const MAX_SETTLE_POLL_MS = 200

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

const LOST_REQUEST_REASON = 'refund: the request stopped before it finished'

function withoutHold(user: UserRecord, requestId: string): UserRecord {
  const { [requestId]: _released, ...holds } = user.holds ?? {}
  return { ...user, holds: Object.keys(holds).length > 0 ? holds : undefined }
}

function withHold(user: UserRecord, requestId: string, hold: CreditHold): UserRecord {
  return { ...user, holds: { ...user.holds, [requestId]: hold } }
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

function withChange(user: UserRecord, change: CreditChange): UserRecord {
  const { requestId } = change
  let result = user
  if (change.release) {
    // Its time ran out before it settled, so its credits were already given back in full.
    if (!requestId || !user.holds?.[requestId]) return user
    result = withoutHold(result, requestId)
    if (change.delta === 0) return result
  }
  result = withLedgerEntry(result, change)
  if (requestId && change.holdUntil !== undefined && change.delta < 0) {
    result = withHold(result, requestId, { credits: -change.delta, until: change.holdUntil })
  }
  return result
}

function hasLostHold(user: UserRecord, now: number): boolean {
  return Object.values(user.holds ?? {}).some((hold) => hold.until <= now)
}

/**
 * Gives back the holds of requests that cannot still be running: their isolate stopped (a deploy,
 * a crash) before they settled. Without this, those credits would be gone for good.
 */
function withLostHoldsGivenBack(user: UserRecord, now: number): UserRecord {
  let result = user
  for (const [requestId, hold] of Object.entries(user.holds ?? {})) {
    if (hold.until > now) continue
    result = withLedgerEntry(withoutHold(result, requestId), {
      delta: hold.credits,
      reason: LOST_REQUEST_REASON,
      requestId,
    })
  }
  return result
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
        const written = account.record
        await store.put(userKey(written.id), JSON.stringify(written))
        forgetReleased(written)
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
  change: CreditChange | null,
  allow: (balance: number) => void = () => {},
  known?: UserRecord,
): Promise<PendingCreditChange> {
  for (;;) {
    const account = openAccounts.get(userId) ?? (await openAccount(store, userId, known))
    // Checked and applied with no await in between, so no other change can slip past the check.
    if (openAccounts.get(userId) !== account) continue
    const before = account.record
    // Dropped before lost holds are looked for: a settled request delivered what it was charged for.
    const recovered = withLostHoldsGivenBack(withSettledHoldsDropped(before), Date.now())
    try {
      allow(recovered.balance)
    } catch (refusal) {
      if (recovered !== before) {
        account.record = recovered
        await saveThrough(store, account, ++account.decided).catch(() => {})
      }
      closeIfSettled(account)
      throw refusal
    }
    const after = change ? withChange(recovered, change) : recovered
    if (after === before) {
      forgetReleased(after)
      closeIfSettled(account)
      return { user: after, saved: Promise.resolve() }
    }
    account.record = after
    const version = ++account.decided
    return { user: account.record, saved: saveThrough(store, account, version) }
  }
}

/**
 * Ends the hold of a request that delivered everything it was charged for. Waits up to `waitMs` for
 * another change of the user's record to carry the release, and writes it alone only if none
 * does. Nobody waits for this: the answer has gone out.
 */
export async function releaseSettledHold(
  store: KVNamespace,
  userId: string,
  requestId: string,
  waitMs: number,
): Promise<void> {
  const settled = settledRequests.get(userId) ?? new Set<string>()
  settledRequests.set(userId, settled)
  settled.add(requestId)
  const carried = () => !settledRequests.get(userId)?.has(requestId)
  const deadline = Date.now() + waitMs
  for (let pause = 5; Date.now() < deadline; pause = Math.min(pause * 2, MAX_SETTLE_POLL_MS)) {
    if (carried()) return
    await sleep(pause)
  }
  if (carried()) return
  // Should this fail, the hold stays and is given back once it runs out: the images come free.
  await saveOwedChanges(store, userId)
}

/**
 * Saves what the user's record owes with no change of its own: holds of delivered requests
 * dropped, lost ones given back. Null if that could not be written.
 */
async function saveOwedChanges(
  store: KVNamespace,
  userId: string,
  known?: UserRecord,
): Promise<UserRecord | null> {
  try {
    const { user, saved } = await beginCreditChange(store, userId, null, undefined, known)
    await saved
    return user
  } catch (error) {
    console.error('credit holds not saved', userId, error)
    return null
  }
}

/**
 * The user's record with the credits of requests that died mid-way given back and saved, for
 * views of the balance; `known` itself when it holds none.
 */
export async function recoverLostHolds(store: KVNamespace, known: UserRecord): Promise<UserRecord> {
  if (!hasLostHold(known, Date.now())) return known
  return (await saveOwedChanges(store, known.id, known)) ?? known
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
