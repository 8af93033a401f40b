import type { GenerationResult } from '../../../shared'
import { accountOf } from '../accounts/account-store'
import { sha256Hex } from '../accounts/token-hash'
import type { Access } from '../accounts/user-account'
import type { Env } from '../env'
import { ApiError } from '../http/api-error'
import { refusalError } from '../http/authenticate'

export interface IdempotencySlot {
  keyHash: string
  /** The first result of this key, when it already finished. */
  replay?: GenerationResult
  finish(result: GenerationResult): Promise<void>
  /** Frees the key of request `requestId`, which failed. */
  abandon(requestId: string): Promise<void>
}

/**
 * Claims an Idempotency-Key for one request body, with the user's account object, so a repeat
 * anywhere sees the first request's state at once. The same key with the same body replays the
 * first result; a different body is refused with 422, and a request still running with 409.
 */
export async function claimIdempotencyKey(
  env: Env,
  userId: string,
  access: Access,
  key: string,
  fingerprint: string,
  runningUntil: number,
): Promise<IdempotencySlot> {
  const account = accountOf(env, userId)
  const keyHash = await sha256Hex(key)
  const claim = await account.claimKey(userId, access, keyHash, fingerprint, runningUntil)
  if (claim.kind === 'refused')
    throw refusalError(claim.reason === 'unknown_user' ? 'revoked' : claim.reason)
  if (claim.kind === 'mismatch') {
    throw new ApiError(
      'idempotency_mismatch',
      'This Idempotency-Key was already used for a different request. Use a new key for a new request.',
    )
  }
  if (claim.kind === 'running') {
    throw new ApiError(
      'idempotency_in_progress',
      'The first request with this Idempotency-Key is still running. Wait for it to finish, then try again.',
    )
  }
  return {
    keyHash,
    replay: claim.kind === 'replay' ? claim.result : undefined,
    finish: (result) => account.finishKey(userId, keyHash, runningUntil, result),
    abandon: (requestId) => account.abandonKey(userId, keyHash, runningUntil, requestId),
  }
}
