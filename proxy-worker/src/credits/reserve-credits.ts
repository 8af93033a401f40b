import {
  beginCreditChange,
  changeCredits,
  type PendingCreditChange,
} from '../accounts/credit-changes'
import type { UserRecord } from '../env'
import { ApiError } from '../http/api-error'

function creditsWord(count: number): string {
  return count === 1 ? '1 credit' : `${count} credits`
}

/**
 * Takes the whole cost up front, or refuses with 402 and leaves the balance untouched. Answers once
 * the charge is decided; `saved` says when it is written. `user` is the record authentication just
 * read, which spares a second read when nothing has changed it since.
 */
export function reserveCredits(
  store: KVNamespace,
  user: UserRecord,
  cost: number,
  reason: string,
  requestId: string,
  holdUntil: number,
): Promise<PendingCreditChange> {
  return beginCreditChange(
    store,
    user.id,
    { delta: -cost, reason, requestId, holdUntil },
    (balance) => {
      if (balance < cost) {
        throw new ApiError(
          'insufficient_credits',
          `Not enough credits: this needs ${creditsWord(cost)} and you have ${creditsWord(balance)}. Ask your team admin for more credits, or choose fewer images or a lower quality.`,
        )
      }
    },
    user,
  )
}

/**
 * Gives back what a request did not use and ends its hold. A refund that cannot be written leaves
 * the hold in place, so the credits still come back once the hold runs out.
 */
export async function refundCredits(
  store: KVNamespace,
  userId: string,
  amount: number,
  reason: string,
  requestId: string,
  holdUntil: number,
): Promise<UserRecord> {
  try {
    return await changeCredits(store, userId, {
      delta: amount,
      reason: `refund: ${reason}`,
      requestId,
      release: true,
    })
  } catch (error) {
    console.error('refund not recorded', requestId, amount, error)
    const minutes = Math.max(1, Math.ceil((holdUntil - Date.now()) / 60_000))
    throw new ApiError(
      'storage_unavailable',
      `Promptframe could not give back the ${creditsWord(amount)} this request did not use just now. They come back on their own within ${minutes === 1 ? 'a minute' : `${minutes} minutes`}; if they do not, let your team admin know.`,
    )
  }
}
