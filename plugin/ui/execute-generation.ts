import { emit } from '@create-figma-plugin/utilities'
import {
  type CatalogModel,
  DEFAULT_MAX_CONCURRENT_GENERATIONS,
  decodeBase64,
  type GeneratedImage,
  type GenerationJob,
  type StreamEvent,
} from '../../shared'
import type { GenerationPlan, PlannedRequest } from '../actions/action-plan'
import type {
  AddToHistoryHandler,
  CancelPlacementHandler,
  FinishPlacementHandler,
  ForgetRunsHandler,
  PlaceImageHandler,
  PlacementFinishedHandler,
  PlacementStartedHandler,
  RememberRunHandler,
  RunReceivedHandler,
  ShowPartialHandler,
  StartPlacementHandler,
} from '../events'
import type { FinishedImage, Provenance, Settings, UnfinishedRun } from '../types'
import { settleLimited } from '../utilities/settle-limited'
import { ApiFailure, CANCELLED_MESSAGE, isAbort } from './api/api-failure'
import { dropped, streamGeneration } from './api/stream-generation'
import { whenDecided } from './api/when-decided'
import { downloadImage, fetchGeneration } from './api/worker-api'
import { callMain } from './call-main'
import { finishedImage } from './finished-image'
import { type PreparedRequest, prepareRequest } from './prepare-request'

export interface GenerationProgress {
  stage: string
  delivered: number
  balance: number | null
}

export interface ExecuteOptions {
  settings: Settings
  plan: GenerationPlan
  model: CatalogModel
  /** The prompt as the designer wrote it, kept on the layers for Vary and Restyle. */
  designerPrompt: string
  signal: AbortSignal
  onProgress: (progress: Partial<GenerationProgress>) => void
}

export interface ExecutionOutcome {
  placed: number
  /** Images made and paid for that could not be downloaded: the next open brings them to History. */
  notPlaced: number
  /** Images made and downloaded that Figma could not read: not on the canvas. */
  unreadable: number
  placedIds: string[]
  /** Whether the results ended up selected on the canvas. */
  selected: boolean
}

/** Work that had started when the designer cancelled, or the connection dropped. */
export interface LateWork {
  /** Images still being made, or made but not placed: they go to History. */
  expected: number
  /** The requests they belong to. */
  requestIds: string[]
  /** Resolves with how many reached History, once their jobs have finished. */
  arrived: Promise<number>
}

/** A generation that stopped before its end; `late` is what still comes, into History. */
export class GenerationStopped extends ApiFailure {
  readonly late: LateWork | null
  constructor(type: string, message: string, late: LateWork | null) {
    super(type, message)
    this.late = late
  }
}

/** One request of a plan, as far as it got. */
interface RequestRun {
  request: PlannedRequest
  prepared: PreparedRequest | null
  requestId: string | null
  received: Set<number>
  /** Images on the canvas: one received but not placed (its download failed) is recovered later. */
  placed: Set<number>
  /**
   * Whether the service has said how the request ended (its answer, or its error), or was asked
   * after a cancel or a drop and had nothing more to give. Until then it is remembered for the
   * next open.
   */
  over: boolean
}

const POLL_MS = 1500
const DOWNLOAD_RETRY_MS = 1000
/** How often, and for how long, a request refused for the designer's running generations waits. */
const BUSY_WAIT_MS = 3000
const BUSY_LIMIT_MS = 2 * 60 * 1000
const POLL_LIMIT_MS = 10 * 60 * 1000
const FINISHED_AFTER_CANCEL = 'Finished after you cancelled'

/** What a request's images are made from, before the service says who made them. */
function runProvenance(options: ExecuteOptions, run: RequestRun): UnfinishedRun['provenance'] {
  const body = run.prepared?.body ?? run.request.body
  return {
    ...run.request.provenance,
    prompt: options.designerPrompt,
    model: body.model ?? 'gpt-image-2',
    size: String(body.size ?? '1:1'),
    quality: body.quality ?? 'medium',
  }
}

function provenanceOf(
  options: ExecuteOptions,
  run: RequestRun,
  job: { request_id: string; provider: Provenance['provider'] },
  image: GeneratedImage,
): Provenance {
  return {
    ...runProvenance(options, run),
    requestId: job.request_id,
    provider: job.provider,
    preview: image.preview,
  }
}

async function runRequest(
  options: ExecuteOptions,
  run: RequestRun,
  placing: Promise<void>[],
  onPlaced: () => void,
) {
  const { settings, plan, signal } = options
  const { request } = run
  const prepared = await prepareRequest(request, options.model)
  run.prepared = prepared
  const jobId = plan.placement.jobId
  const onEvent = async (event: StreamEvent) => {
    if (event.type === 'stage') options.onProgress({ stage: event.message })
    if (event.type === 'partial') {
      const slot = request.firstSlot + event.index
      prepared.preview(decodeBase64(event.b64_json)).then(
        (bytes) => emit<ShowPartialHandler>('SHOW_PARTIAL', jobId, slot, bytes),
        () => {},
      )
    }
    if (event.type === 'credits') options.onProgress({ balance: event.credits.balance })
    if (event.type === 'image') {
      const { image } = event
      // Counted as received at once: an image that reaches the plugin is never dropped, even
      // when the designer cancels while it is being placed.
      run.received.add(image.index)
      placing.push(
        (async () => {
          // A download cut short is tried once more before the image is left for the next open.
          const raw = await downloadImage(settings, image.url).catch(async () => {
            await new Promise((resolve) => setTimeout(resolve, DOWNLOAD_RETRY_MS))
            return downloadImage(settings, image.url)
          })
          const bytes = await prepared.finish(raw, image.mime_type, image.width, image.height)
          emit<PlaceImageHandler>(
            'PLACE_IMAGE',
            jobId,
            request.firstSlot + image.index,
            bytes,
            provenanceOf(
              options,
              run,
              { request_id: event.request_id, provider: event.provider },
              image,
            ),
          )
          emit<RunReceivedHandler>('RUN_RECEIVED', event.request_id, image.index)
          run.placed.add(image.index)
          onPlaced()
        })(),
      )
    }
  }
  const callbacks = {
    onStarted: (requestId: string) => {
      run.requestId = requestId
      // Remembered until its images are accounted for: should the plugin close first, the next
      // open brings them into History.
      emit<RememberRunHandler>('REMEMBER_RUN', {
        requestId,
        provenance: runProvenance(options, run),
        combined: request.input.kind === 'edit-area' || request.input.kind === 'expand',
        received: [],
        startedAt: new Date().toISOString(),
      })
    },
    onEvent,
  }
  // The designer's generations elsewhere (another file, a teammate's copy of their token) may
  // fill the service's limit: nothing is charged for a refusal, so the request waits its turn.
  const waitUntil = Date.now() + BUSY_LIMIT_MS
  for (;;) {
    try {
      return await streamGeneration(settings, prepared.body, prepared, signal, callbacks)
    } catch (error) {
      const busy = error instanceof ApiFailure && error.type === 'too_many_running'
      if (!busy || signal.aborted || Date.now() > waitUntil) throw error
      options.onProgress({ stage: 'Waiting for your other generations to finish' })
      await new Promise((resolve) => setTimeout(resolve, BUSY_WAIT_MS))
    }
  }
}

/** A job as it ends: read again until it is no longer running (or 10 minutes have passed). */
async function whenSettled(settings: Settings, requestId: string): Promise<GenerationJob | null> {
  const deadline = Date.now() + POLL_LIMIT_MS
  for (;;) {
    const job = await fetchGeneration(settings, requestId).catch(() => null)
    if (job?.state !== 'running' || Date.now() > deadline) return job
    await new Promise((resolve) => setTimeout(resolve, POLL_MS))
  }
}

/** What of a run is not on the canvas: still being made, or made and not placed. */
function missing(run: RequestRun, job: GenerationJob): number {
  if (job.state === 'running') return job.requested - run.placed.size
  return job.images.filter((image) => !run.placed.has(image.index)).length
}

/**
 * After a cancel or a dropped connection: asks the service what had already started. Jobs the
 * upstream had accepted go on to their end and are charged; their images are fetched as they
 * finish, made ready exactly as placed images are, and kept in History.
 */
async function lateWork(options: ExecuteOptions, runs: RequestRun[]): Promise<LateWork | null> {
  const started = await Promise.all(
    runs
      .filter((run) => run.requestId && run.prepared)
      .map(async (run) => {
        const job = await whenDecided(options.settings, run.requestId!)
        // Not known to the service, or read with nothing left to come: nothing to recover.
        if (job === null || (job && missing(run, job) === 0)) run.over = true
        return job && missing(run, job) > 0 ? { run, expected: missing(run, job) } : null
      }),
  )
  const pending = started.filter((entry) => entry !== null)
  const expected = pending.reduce((sum, entry) => sum + entry.expected, 0)
  if (expected === 0) return null
  const arrived = (async () => {
    const finished: FinishedImage[] = []
    const ended: string[] = []
    for (const { run } of pending) {
      const job = await whenSettled(options.settings, run.requestId!)
      // A job that cannot be read now, or is still running, is left for the next open.
      if (job && job.state !== 'running') ended.push(job.request_id)
      for (const image of job?.images ?? []) {
        if (run.placed.has(image.index)) continue
        const ready = await finishedImage(job!.request_id, image, {
          download: (url) => downloadImage(options.settings, url),
          finish: run.prepared!.finish,
          provenance: provenanceOf(options, run, job!, image),
          note: FINISHED_AFTER_CANCEL,
        })
        if (ready) finished.push(ready)
      }
    }
    emit<AddToHistoryHandler>('ADD_TO_HISTORY', finished, ended)
    return finished.length
  })()
  return { expected, requestIds: pending.map(({ run }) => run.requestId!), arrived }
}

function stoppedMessage(late: LateWork | null): string {
  if (!late) return CANCELLED_MESSAGE
  const images =
    late.expected === 1
      ? '1 image was already being made: it will be in History, and is charged.'
      : `${late.expected} images were already being made: they will be in History, and are charged.`
  return `Generation cancelled. ${images} Credits for anything not started were refunded.`
}

/** Makes room on the canvas and waits until the main thread has, so nothing is paid for that cannot be placed. */
async function startPlacement(plan: GenerationPlan): Promise<void> {
  const [problem] = await callMain<StartPlacementHandler, PlacementStartedHandler>(
    'START_PLACEMENT',
    'PLACEMENT_STARTED',
    plan.placement,
  )
  if (problem) throw new ApiFailure('placement', problem)
}

/**
 * Runs a planned generation end to end: placeholders first, every request at once, partial
 * previews as they stream, each final image as it lands, then one undo step. On cancel, the
 * placeholders without an image go, and work that had already started comes to History. Throws an
 * ApiFailure the UI can show.
 */
export async function executeGeneration(options: ExecuteOptions): Promise<ExecutionOutcome> {
  const { plan } = options
  const jobId = plan.placement.jobId
  let placed = 0
  const placing: Promise<void>[] = []
  const runs: RequestRun[] = plan.requests.map((request) => ({
    request,
    prepared: null,
    requestId: null,
    received: new Set(),
    placed: new Set(),
    over: false,
  }))
  await startPlacement(plan)
  // A restyle of 16 layers is 16 requests: no more go at once than the service runs for a designer.
  const outcomes = await settleLimited(
    runs,
    DEFAULT_MAX_CONCURRENT_GENERATIONS,
    options.signal,
    (run) =>
      runRequest(options, run, placing, () => {
        placed++
        options.onProgress({ delivered: placed })
      }).then(
        (result) => {
          run.over = true
          return result
        },
        (error: unknown) => {
          // The service's own refusal or error ends the request; a drop, a cancel, or a settlement
          // the service could not record yet (it settles on its own) leaves it open.
          run.over =
            error instanceof ApiFailure && !dropped(error) && error.type !== 'storage_unavailable'
          throw error
        },
      ),
  )
  // Images already on their way are placed before anything is taken away.
  await Promise.allSettled(placing)
  // A cancel once every image was on the canvas stopped nothing: the generation ends as usual.
  const stoppedNothing = options.signal.aborted && placed === plan.images
  const failure = outcomes.find(
    (outcome): outcome is PromiseRejectedResult =>
      outcome.status === 'rejected' && !(stoppedNothing && isAbort(outcome.reason)),
  )
  if (options.signal.aborted && failure) {
    emit<CancelPlacementHandler>('CANCEL_PLACEMENT', jobId)
    const late = forgetSettled(runs, await lateWork(options, runs))
    throw new GenerationStopped('cancelled', stoppedMessage(late), late)
  }
  const [placedIds, selected, unreadable] = await callMain<
    FinishPlacementHandler,
    PlacementFinishedHandler
  >('FINISH_PLACEMENT', 'PLACEMENT_FINISHED', jobId)
  if (failure) {
    const reason = failure.reason
    const lost = reason instanceof ApiFailure && reason.type === 'connection_lost'
    const late = forgetSettled(runs, lost ? await lateWork(options, runs) : null)
    if (isAbort(reason)) throw new ApiFailure('cancelled', CANCELLED_MESSAGE)
    if (lost) throw new GenerationStopped(reason.type, reason.message, late)
    throw reason instanceof ApiFailure
      ? reason
      : new ApiFailure('unknown', 'Something went wrong while placing the images. Try again.')
  }
  forgetSettled(runs, null)
  const notPlaced = runs.reduce((sum, run) => sum + run.received.size - run.placed.size, 0)
  return { placed: placed - unreadable, notPlaced, unreadable, placedIds, selected }
}

/**
 * The requests known to be over with all their images placed need no recovery on the next open;
 * those still sending images to History are let go of once they have (see lateWork). One with an
 * image received but not placed, or whose end the service could not tell, is left for the next
 * open to bring back.
 */
function forgetSettled(runs: RequestRun[], late: LateWork | null): LateWork | null {
  const settled = runs.filter(
    (run) =>
      run.requestId &&
      run.over &&
      !late?.requestIds.includes(run.requestId) &&
      [...run.received].every((index) => run.placed.has(index)),
  )
  emit<ForgetRunsHandler>(
    'FORGET_RUNS',
    settled.map((run) => run.requestId!),
  )
  return late
}
