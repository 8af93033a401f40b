import type { GenerationJob } from '../../../shared'
import type { Settings } from '../../types'
import { ApiFailure } from './api-failure'

/**
 * A request's job as the service has it: null when it has none by that id (expired, another
 * token's, or never reserved), undefined when that cannot be told now (offline, say).
 */
export async function readJob(
  fetchJob: (settings: Settings, requestId: string) => Promise<GenerationJob>,
  settings: Settings,
  requestId: string,
): Promise<GenerationJob | null | undefined> {
  try {
    return await fetchJob(settings, requestId)
  } catch (error) {
    return error instanceof ApiFailure && error.type === 'not_found' ? null : undefined
  }
}
