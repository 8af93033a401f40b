import type { GenerationResult } from '../../../shared'
import { withIsolateLock } from '../accounts/isolate-lock'
import { sha256Hex } from '../accounts/token-hash'
import { ApiError } from '../http/api-error'

interface IdempotencyRecord {
  fingerprint: string
  state: 'running' | 'done'
  result?: GenerationResult
}

const RECORD_TTL_SECONDS = 24 * 60 * 60

export interface IdempotencySlot {
  /** The first result of this key, when it already finished. */
  replay?: GenerationResult
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
): Promise<IdempotencySlot> {
  const recordKey = `idem:${userId}:${await sha256Hex(key)}`
  // Only requests with the same key need to take turns here; a lock of its own keeps them from
  // queueing behind the user's credit writes, which KV may hold up for seconds.
  const record = await withIsolateLock(recordKey, async () => {
    const existing = await store.get<IdempotencyRecord>(recordKey, 'json')
    if (!existing) {
      const running: IdempotencyRecord = { fingerprint, state: 'running' }
      await store.put(recordKey, JSON.stringify(running), { expirationTtl: RECORD_TTL_SECONDS })
    }
    return existing
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
    async finish(result) {
      const done: IdempotencyRecord = { fingerprint, state: 'done', result }
      await store.put(recordKey, JSON.stringify(done), { expirationTtl: RECORD_TTL_SECONDS })
    },
    async abandon() {
      await store.delete(recordKey)
    },
  }
}
