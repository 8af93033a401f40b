import type { GenerationResult } from '../../../shared'
import { withIsolateLock } from '../accounts/isolate-lock'
import { sha256Hex } from '../accounts/token-hash'
import { ApiError } from '../http/api-error'

interface IdempotencyRecord {
  fingerprint: string
  state: 'running' | 'done'
  /** For a running record: when its request can no longer be running (epoch ms). */
  until?: number
  result?: GenerationResult
}

/** A "running" record whose request died with its isolate would otherwise block its key for a day. */
const isAbandoned = (record: IdempotencyRecord, now: number) =>
  record.state === 'running' && record.until !== undefined && record.until <= now

const RECORD_TTL_SECONDS = 24 * 60 * 60

export interface IdempotencySlot {
  /** The first result of this key, when it already finished. */
  replay?: GenerationResult
  /** Settles when the key's "running" record has landed; the work may start before. */
  claimed: Promise<void>
  finish(result: GenerationResult): Promise<void>
  abandon(): Promise<void>
}

/**
 * Claims an Idempotency-Key for one request body. The same key with the same body replays the first
 * result; a different body is refused with 422, and a request still running with 409.
 */
export async function claimIdempotencyKey(
  store: KVNamespace,
  userId: string,
  key: string,
  fingerprint: string,
  runningUntil: number,
): Promise<IdempotencySlot> {
  const recordKey = `idem:${userId}:${await sha256Hex(key)}`
  // Requests with the same key take turns until the "running" record has landed, so a twin in
  // this isolate cannot miss it; this request goes on as soon as the claim is decided.
  const { record, claimed } = await new Promise<{
    record: IdempotencyRecord | null
    claimed: Promise<void>
  }>((decided, failed) => {
    withIsolateLock(recordKey, async () => {
      const existing = await store.get<IdempotencyRecord>(recordKey, 'json')
      if (existing && !isAbandoned(existing, Date.now())) {
        return decided({ record: existing, claimed: Promise.resolve() })
      }
      const running: IdempotencyRecord = { fingerprint, state: 'running', until: runningUntil }
      const put = store.put(recordKey, JSON.stringify(running), {
        expirationTtl: RECORD_TTL_SECONDS,
      })
      decided({ record: null, claimed: put })
      await put.catch(() => {})
    }).catch(failed)
  })
  if (record && record.fingerprint !== fingerprint) {
    throw new ApiError(
      'idempotency_mismatch',
      'This Idempotency-Key was already used for a different request. Use a new key for a new request.',
    )
  }
  if (record?.state === 'running') {
    throw new ApiError(
      'idempotency_in_progress',
      'The first request with this Idempotency-Key is still running. Wait for it to finish, then try again.',
    )
  }
  return {
    replay: record?.result,
    claimed,
    async finish(result) {
      // After the claim, never before: a late "running" record would hide the result.
      await claimed
      const done: IdempotencyRecord = { fingerprint, state: 'done', result }
      await store.put(recordKey, JSON.stringify(done), { expirationTtl: RECORD_TTL_SECONDS })
    },
    async abandon() {
      await claimed.catch(() => {})
      await store.delete(recordKey)
    },
  }
}
