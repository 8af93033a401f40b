import {
  aspectRatioOfSize,
  CREDIT_PRICES,
  creditCost,
  type GeneratedImage,
  type GenerateRequest,
  type GenerationResult,
  type ImageMimeType,
  imageInfo,
  MODEL_SPECS,
  pixelSizeFor,
  type StreamEvent,
} from '../../../shared'
import { releaseSettledHold } from '../accounts/credit-changes'
import { refundCredits, reserveCredits } from '../credits/reserve-credits'
import { type Env, numberSetting, type UserRecord } from '../env'
import { ApiError } from '../http/api-error'
import { putImage } from '../images/image-store'
import type { ImageInputs } from '../providers/image-provider'
import { createProvider, providerForJob } from '../providers/resolve-provider'
import { abortOrNetworkError } from '../providers/upstream-fetch'

export interface GenerationContext {
  env: Env
  user: UserRecord
  requestId: string
  /** Where generated images are served from, e.g. https://worker.example/v1/images. */
  imageBaseUrl: string
  /** Fires when the client disconnects or cancels. */
  signal: AbortSignal
  /** Other records that must land before an image is delivered, such as an Idempotency-Key's. */
  recorded?: Promise<void>
  /**
   * Whether each image is stored and served by URL (the default). A route that answers with the
   * bytes themselves, and will not need them again, skips the storage write.
   */
  keepImages?: boolean
  /**
   * Whether the route answers with the images' bytes, which are then kept in `files`. Otherwise
   * each image's bytes are let go once stored, so a request holds at most the images in flight.
   */
  answerWithBytes?: boolean
  emit?: (event: StreamEvent) => void
}

export interface DeliveredFile {
  bytes: Uint8Array
  mimeType: ImageMimeType
  /** The bytes as base64, when the upstream sent them that way. */
  b64?: string
}

export interface GenerationOutcome {
  /** Its `images` are the stored ones: all delivered images, unless `keepImages` was false. */
  result: GenerationResult
  /** The delivered images' bytes by index, when the route answers with them (`answerWithBytes`). */
  files: Map<number, DeliveredFile>
  /** Settles once the request's credit hold is released; the answer need not wait for it. */
  settled: Promise<void>
}

const DEFAULT_TIMEOUT_MS = 6 * 60 * 1000
/** How long a delivered request's hold release waits for another change to carry it. */
const DEFAULT_HOLD_RELEASE_WAIT_MS = 2000
/** How long after its upstream timeout a request may still take to store images and settle. */
const SETTLING_GRACE_MS = 2 * 60 * 1000
const DEFAULT_IMAGE_TTL_SECONDS = 24 * 60 * 60
const DEFAULT_REFERENCE_TTL_SECONDS = 60 * 60

/** When a request that starts now can no longer be running, however it went. */
export function requestDeadline(env: Env, now = Date.now()): number {
  return now + numberSetting(env.UPSTREAM_TIMEOUT_MS, DEFAULT_TIMEOUT_MS) + SETTLING_GRACE_MS
}

export function unrecordedCharge(): ApiError {
  return new ApiError(
    'storage_unavailable',
    'Promptframe could not record this request, so nothing was charged and nothing was made. Try again in a moment.',
  )
}

/**
 * One generation from start to finish: reserve the whole cost, call the provider, store each image
 * as it arrives, and refund whatever was not delivered, whatever went wrong.
 */
export async function runGeneration(
  context: GenerationContext,
  request: GenerateRequest,
  inputs: ImageInputs,
): Promise<GenerationOutcome> {
  const { env, user, requestId, emit } = context
  const { references, mask } = inputs
  const provider = providerForJob(env, request.model, {
    masks: mask !== null,
    transparency: request.background === 'transparent',
  })
  const spec = MODEL_SPECS[request.model]
  if (references.length > spec.maxReferences) {
    throw new ApiError(
      'invalid_reference',
      `${spec.label} takes at most ${spec.maxReferences} reference images.`,
    )
  }
  const startedAt = Date.now()
  const stage = (name: 'accepted' | 'generating' | 'storing', message: string) =>
    emit?.({ type: 'stage', stage: name, message, elapsed_ms: Date.now() - startedAt })

  const cost = creditCost(request.model, request.quality, request.n)
  const reason = `${references.length > 0 ? 'edit' : 'generate'} ${request.model} ${request.quality} x${request.n}`
  const holdUntil = requestDeadline(env)
  const reservation = await reserveCredits(env.STORE, user, cost, reason, requestId, holdUntil)
  stage('accepted', `Reserved ${cost} credits`)
  // The upstream call starts while the reservation is still being written; should the write fail,
  // the call is stopped and nothing is delivered.
  const reservationFailed = new AbortController()
  reservation.saved.catch(() => reservationFailed.abort(unrecordedCharge()))

  const size = pixelSizeFor(request.model, request.size)
  const timeout = AbortSignal.timeout(numberSetting(env.UPSTREAM_TIMEOUT_MS, DEFAULT_TIMEOUT_MS))
  const signal = AbortSignal.any([context.signal, timeout, reservationFailed.signal])
  const images: GeneratedImage[] = []
  const files = new Map<number, DeliveredFile>()
  const delivered = new Set<number>()
  const keepImages = context.keepImages ?? true
  const imageTtl = numberSetting(env.IMAGE_TTL_SECONDS, DEFAULT_IMAGE_TTL_SECONDS)

  let failure: ApiError | null = null
  stage('generating', `Generating ${request.n === 1 ? 'the image' : `${request.n} images`}`)
  try {
    await createProvider(env, provider).generate({
      prompt: request.prompt,
      model: request.model,
      size,
      aspectRatio: aspectRatioOfSize(request.size),
      quality: request.quality,
      n: request.n,
      background: request.background,
      outputFormat: request.output_format,
      references,
      mask,
      seed: request.seed ?? 0,
      signal,
      onPartial: emit
        ? (preview) =>
            emit({
              type: 'partial',
              index: preview.index,
              partial_index: preview.partialIndex,
              mime_type: preview.mimeType,
              b64_json: preview.b64,
            })
        : undefined,
      publishReference: async (reference) => {
        const info = imageInfo(reference.bytes)!
        const ttl = numberSetting(env.REFERENCE_TTL_SECONDS, DEFAULT_REFERENCE_TTL_SECONDS)
        const id = await putImage(env.IMAGES, reference.bytes, info, ttl)
        return `${context.imageBaseUrl}/${id}`
      },
      deliver: async (index, bytes, b64) => {
        if (delivered.has(index) || index >= request.n) return
        const info = imageInfo(bytes)
        if (!info) {
          throw new ApiError(
            'upstream_malformed',
            'The image model sent something that is not an image. Your credits were refunded: try again.',
          )
        }
        await reservation.saved
        await context.recorded
        delivered.add(index)
        if (context.answerWithBytes) files.set(index, { bytes, mimeType: info.mimeType, b64 })
        if (!keepImages) return
        if (delivered.size === request.n) stage('storing', 'Saving the images')
        const id = await putImage(env.IMAGES, bytes, info, imageTtl).catch((error) => {
          delivered.delete(index)
          files.delete(index)
          console.error('image not stored', requestId, error)
          throw new ApiError(
            'storage_unavailable',
            'Promptframe could not save the image, so its credits were refunded. Try again in a moment.',
          )
        })
        const image: GeneratedImage = {
          id,
          index,
          url: `${context.imageBaseUrl}/${id}`,
          width: info.width,
          height: info.height,
          mime_type: info.mimeType,
          bytes: bytes.length,
          preview: provider === 'preview',
        }
        images.push(image)
        emit?.({ type: 'image', request_id: requestId, provider, image })
      },
    })
  } catch (error) {
    failure = abortOrNetworkError(error, signal)
  }
  await reservation.saved.catch(() => {
    throw unrecordedCharge()
  })
  if (!failure && delivered.size < request.n) {
    failure = new ApiError(
      'upstream_malformed',
      'The image model sent fewer images than asked. The missing ones were refunded.',
    )
  }

  const undelivered = request.n - delivered.size
  const refund = undelivered * CREDIT_PRICES[request.model][request.quality]
  let refunded: UserRecord | null = null
  let settled = Promise.resolve()
  if (refund > 0) {
    const why = `${undelivered} of ${request.n} not delivered (${failure?.type ?? 'unknown'})`
    refunded = await refundCredits(env.STORE, user.id, refund, why, requestId, holdUntil)
  } else {
    const waitMs = numberSetting(env.HOLD_RELEASE_WAIT_MS, DEFAULT_HOLD_RELEASE_WAIT_MS)
    settled = releaseSettledHold(env.STORE, user.id, requestId, waitMs)
  }
  const balance = refunded?.balance ?? reservation.user.balance
  const credits = { charged: cost - refund, refunded: refund, balance }
  emit?.({ type: 'credits', credits })
  if (failure && delivered.size === 0) throw failure

  images.sort((a, b) => a.index - b.index)
  const result: GenerationResult = {
    request_id: requestId,
    model: request.model,
    provider,
    size: `${size.width}x${size.height}`,
    quality: request.quality,
    requested: request.n,
    images,
    credits,
    expires_at: new Date(Date.now() + imageTtl * 1000).toISOString(),
  }
  return { result, files, settled }
}
