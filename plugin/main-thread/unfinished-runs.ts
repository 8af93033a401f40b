import type { FinishedImage, UnfinishedRun } from '../types'
import { oneAtATime } from '../utilities/one-at-a-time'

const UNFINISHED_KEY = 'promptframe.unfinished'
/** The service keeps a generation's record for a day; after that there is nothing to bring back. */
const KEPT_MS = 24 * 60 * 60 * 1000
const LIMIT = 40

/** Reads and changes of the stored list, in order, so changes arriving together are all kept. */
const inOrder = oneAtATime()

function change(update: (runs: UnfinishedRun[]) => UnfinishedRun[]): Promise<void> {
  return inOrder(async () => {
    const runs = await loadUnfinishedRuns()
    await figma.clientStorage.setAsync(UNFINISHED_KEY, update(runs).slice(-LIMIT))
  })
}

export async function loadUnfinishedRuns(): Promise<UnfinishedRun[]> {
  const stored = (await figma.clientStorage.getAsync(UNFINISHED_KEY)) as UnfinishedRun[] | undefined
  const oldest = Date.now() - KEPT_MS
  return (stored ?? []).filter((run) => Date.parse(run.startedAt) > oldest)
}

export function rememberRun(run: UnfinishedRun): Promise<void> {
  return change((runs) => [...runs.filter((kept) => kept.requestId !== run.requestId), run])
}

export function markRunReceived(requestId: string, index: number): Promise<void> {
  return change((runs) =>
    runs.map((run) =>
      run.requestId === requestId && !run.received.includes(index)
        ? { ...run, received: [...run.received, index] }
        : run,
    ),
  )
}

/**
 * Ends remembered runs with the images that finished after their plugin stopped following them:
 * `keep` gets only those of a run still remembered and not already placed (another open of the
 * plugin may have placed them, or ended the run), then the runs are let go of.
 */
export function finishRuns(
  requestIds: string[],
  images: FinishedImage[],
  keep: (images: FinishedImage[]) => Promise<void>,
): Promise<void> {
  const kept = inOrder(async () => {
    const runs = await loadUnfinishedRuns()
    return images.filter((image) => {
      const run = runs.find((candidate) => candidate.requestId === image.provenance.requestId)
      return run !== undefined && !run.received.includes(image.index)
    })
  })
  // Into History first: a plugin closed in between finds the runs again, not lost images.
  return kept.then(keep).then(() => forgetRuns(requestIds))
}

export function forgetRuns(requestIds: string[]): Promise<void> {
  if (requestIds.length === 0) return inOrder(async () => {})
  return change((runs) => runs.filter((run) => !requestIds.includes(run.requestId)))
}
