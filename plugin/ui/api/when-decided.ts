import type { GenerationJob } from '../../../shared'
import type { Settings } from '../../types'
import { readJob } from './read-job'
import { fetchGeneration } from './worker-api'

/** How long the plugin waits to learn whether the service had handed work to the model. */
export const DECIDE_MS = 3000
const DECIDE_POLL_MS = 250

/**
 * A request's job once it is clear what a cancel or a dropped connection leaves of it: settled,
 * or accepted by the model (and so running to its end), or still undecided after `DECIDE_MS`, as
 * the service may take a moment to notice its client has gone. Null when the service has no job
 * by that id (it refused the request, or had not reserved anything yet); undefined when it cannot
 * be asked now.
 */
export async function whenDecided(
  settings: Settings,
  requestId: string,
): Promise<GenerationJob | null | undefined> {
  const deadline = Date.now() + DECIDE_MS
  for (;;) {
    const job = await readJob(fetchGeneration, settings, requestId)
    if (!job) return job
    if (job.state !== 'running' || job.accepted || Date.now() > deadline) return job
    await new Promise((resolve) => setTimeout(resolve, DECIDE_POLL_MS))
  }
}
