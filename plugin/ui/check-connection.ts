import type { Settings } from '../types'
import { creditsLabel } from '../utilities/cost'
import { fetchAccount, fetchCatalog } from './api/worker-api'
import type { NoticeMessage } from './components/notice'
import { describeFailure } from './describe-failure'

/** Asks the service at these settings who the token belongs to: the answer for "Test connection". */
export async function checkConnection(settings: Settings): Promise<NoticeMessage> {
  try {
    await fetchCatalog(settings)
    const account = await fetchAccount(settings)
    return {
      kind: 'info',
      text: `Connected as ${account.name}, with ${creditsLabel(account.balance)}.`,
    }
  } catch (error) {
    return { kind: 'error', text: describeFailure(error) }
  }
}
