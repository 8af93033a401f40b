import { emit } from '@create-figma-plugin/utilities'
import {
  type CatalogModel,
  decodeBase64,
  type GenerationResult,
  type StreamEvent,
} from '../../shared'
import type { GenerationPlan, PlannedRequest } from '../actions/action-plan'
import type {
  CancelPlacementHandler,
  FinishPlacementHandler,
  PlaceImageHandler,
  PlacementFinishedHandler,
  PlacementStartedHandler,
  ShowPartialHandler,
  StartPlacementHandler,
} from '../events'
import type { Provenance, Settings } from '../types'
import { ApiFailure, CANCELLED_MESSAGE, isAbort } from './api/api-failure'
import { streamGeneration } from './api/stream-generation'
import { downloadImage } from './api/worker-api'
import { callMain } from './call-main'
import { prepareRequest } from './prepare-request'

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
  placedIds: string[]
  /** Whether the results ended up selected on the canvas. */
  selected: boolean
}

async function runRequest(
  options: ExecuteOptions,
  request: PlannedRequest,
  onPlaced: () => void,
): Promise<GenerationResult> {
  const { settings, plan, signal } = options
  const prepared = await prepareRequest(request, options.model)
  const jobId = plan.placement.jobId
  const placing: Promise<void>[] = []
  const handle = async (event: StreamEvent) => {
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
      placing.push(
        (async () => {
          const raw = await downloadImage(settings, image.url)
          const bytes = await prepared.finish(raw, image.mime_type, image.width, image.height)
          const provenance: Provenance = {
            ...request.provenance,
            prompt: options.designerPrompt,
            model: prepared.body.model ?? 'gpt-image-2',
            size: String(prepared.body.size ?? '1:1'),
            quality: prepared.body.quality ?? 'medium',
            requestId: event.request_id,
            provider: event.provider,
            preview: image.preview,
          }
          emit<PlaceImageHandler>(
            'PLACE_IMAGE',
            jobId,
            request.firstSlot + image.index,
            bytes,
            provenance,
          )
          onPlaced()
        })(),
      )
    }
  }
  const result = await streamGeneration(settings, prepared.body, prepared, signal, handle)
  await Promise.all(placing)
  return result
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
 * previews as they stream, each final image as it lands, then one undo step. On cancel or failure,
 * slots without an image go away. Throws an ApiFailure the UI can show.
 */
export async function executeGeneration(options: ExecuteOptions): Promise<ExecutionOutcome> {
  const { plan } = options
  const jobId = plan.placement.jobId
  let placed = 0
  await startPlacement(plan)
  const outcomes = await Promise.allSettled(
    plan.requests.map((request) =>
      runRequest(options, request, () => {
        placed++
        options.onProgress({ delivered: placed })
      }),
    ),
  )
  const failure = outcomes.find((outcome) => outcome.status === 'rejected')
  if (options.signal.aborted) {
    emit<CancelPlacementHandler>('CANCEL_PLACEMENT', jobId)
    throw new ApiFailure('cancelled', CANCELLED_MESSAGE)
  }
  const [placedIds, selected] = await callMain<FinishPlacementHandler, PlacementFinishedHandler>(
    'FINISH_PLACEMENT',
    'PLACEMENT_FINISHED',
    jobId,
  )
  if (failure) {
    const reason = failure.reason
    if (isAbort(reason)) throw new ApiFailure('cancelled', CANCELLED_MESSAGE)
    throw reason instanceof ApiFailure
      ? reason
      : new ApiFailure('unknown', 'Something went wrong while placing the images. Try again.')
  }
  return { placed, placedIds, selected }
}
