import { emit } from '@create-figma-plugin/utilities'
import type { GenerationJob } from '../../shared'
import type { AddToHistoryHandler } from '../events'
import type { FinishedImage, Settings, UnfinishedRun } from '../types'
import { readJob } from './api/read-job'
import { downloadImage, fetchGeneration } from './api/worker-api'
import { finishedImage } from './finished-image'
import { prepareForFigma } from './prepare-for-figma'

export const FINISHED_AFTER_CLOSE = 'Finished after Promptframe was closed'
export const FINISHED_AFTER_CLOSE_ALONE =
  'Finished after Promptframe was closed: the new area alone, not combined with its layer'

const POLL_MS = 5000
const POLL_LIMIT_MS = 10 * 60 * 1000

export interface RecoveryDeps {
  fetchJob: (settings: Settings, requestId: string) => Promise<GenerationJob>
  download: (settings: Settings, url: string) => Promise<Uint8Array>
  wait: (ms: number) => Promise<void>
}

const realDeps: RecoveryDeps = {
  fetchJob: fetchGeneration,
  download: downloadImage,
  wait: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
}

/**
 * The job once it has ended; null when the service no longer knows it (expired, or another
 * token's), undefined when that cannot be told now (offline, or still running after the limit).
 */
async function endedJob(
  settings: Settings,
  requestId: string,
  deps: RecoveryDeps,
): Promise<GenerationJob | null | undefined> {
  const deadline = Date.now() + POLL_LIMIT_MS
  for (;;) {
    const job = await readJob(deps.fetchJob, settings, requestId)
    if (!job) return job
    if (job.state !== 'running') return job
    if (Date.now() > deadline) return undefined
    await deps.wait(POLL_MS)
  }
}

/** The images of an ended job that never reached the canvas, made ready for History. */
async function missingImages(
  settings: Settings,
  run: UnfinishedRun,
  job: GenerationJob,
  deps: RecoveryDeps,
): Promise<FinishedImage[]> {
  const finished: FinishedImage[] = []
  for (const image of job.images) {
    if (run.received.includes(image.index)) continue
    const ready = await finishedImage(job.request_id, image, {
      download: (url) => deps.download(settings, url),
      finish: prepareForFigma,
      provenance: {
        ...run.provenance,
        requestId: job.request_id,
        provider: job.provider,
        preview: image.preview,
      },
      note: run.combined ? FINISHED_AFTER_CLOSE_ALONE : FINISHED_AFTER_CLOSE,
    })
    if (ready) finished.push(ready)
  }
  return finished
}

/**
 * Generations that were still running when the plugin last closed: the service finished them and
 * charged for their images, so each image that never reached the canvas goes into History. A run
 * is let go of once its job has ended (or is unknown to the service); one that cannot be checked
 * now stays for the next open. Resolves with how many images reached History.
 */
export async function recoverUnfinished(
  settings: Settings,
  runs: UnfinishedRun[],
  deps: RecoveryDeps = realDeps,
): Promise<number> {
  const ended = await Promise.all(
    runs.map(async (run) => {
      const job = await endedJob(settings, run.requestId, deps)
      if (job === undefined) return null
      return {
        requestId: run.requestId,
        images: job ? await missingImages(settings, run, job, deps) : [],
      }
    }),
  )
  const done = ended.filter((entry) => entry !== null)
  const images = done.flatMap((entry) => entry.images)
  if (done.length > 0)
    emit<AddToHistoryHandler>(
      'ADD_TO_HISTORY',
      images,
      done.map((entry) => entry.requestId),
    )
  return images.length
}
