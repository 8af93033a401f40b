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
): Promise<PendingCreditChange> {
  return beginCreditChange(
    store,
    user.id,
    { delta: -cost, reason, requestId },
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

/** Gives back what a request did not use; a refund that cannot be written is said plainly. */
export async function refundCredits(
  store: KVNamespace,
  userId: string,
  amount: number,
  reason: string,
  requestId: string,
): Promise<UserRecord | null> {
  if (amount <= 0) return null
  try {
    return await changeCredits(store, userId, {
      delta: amount,
      reason: `refund: ${reason}`,
      requestId,
    })
  } catch (error) {
    console.error('refund not recorded', requestId, amount, error)
    throw new ApiError(
      'storage_unavailable',
      `Promptframe could not give back the ${creditsWord(amount)} this request did not use. Let your team admin know, so they can add them back.`,
    )
  }
}
