import type { UnfinishedRun } from '../types'

const UNFINISHED_KEY = 'promptframe.unfinished'
/** The service keeps a generation's record for a day; after that there is nothing to bring back. */
const KEPT_MS = 24 * 60 * 60 * 1000
const LIMIT = 40

let changes: Promise<unknown> = Promise.resolve()

/** Changes the stored list one change at a time, so changes arriving together are all kept. */
function change(update: (runs: UnfinishedRun[]) => UnfinishedRun[]): Promise<void> {
  const next = changes.then(async () => {
    const runs = await loadUnfinishedRuns()
    await figma.clientStorage.setAsync(UNFINISHED_KEY, update(runs).slice(-LIMIT))
  })
  changes = next.catch(() => {})
  return next
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

export function forgetRuns(requestIds: string[]): Promise<void> {
  if (requestIds.length === 0) return changes.then(() => {})
  return change((runs) => runs.filter((run) => !requestIds.includes(run.requestId)))
}
