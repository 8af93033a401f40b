import {
  aspectRatioOfSize,
  CREDIT_PRICES,
  creditCost,
  DEFAULT_MAX_CONCURRENT_GENERATIONS,
  formatPixelSize,
  type GeneratedImage,
  type GenerateRequest,
  type GenerationResult,
  type ImageInfo,
  type ImageMimeType,
  imageInfo,
  MODEL_SPECS,
  pixelSizeFor,
  type StreamEvent,
} from '../../../shared'
import { accountOf } from '../accounts/account-store'
import type { Access } from '../accounts/user-account'
import { type Env, numberSetting, type UserRecord } from '../env'
import { ApiError } from '../http/api-error'
import { refusalError } from '../http/authenticate'
import { putImage, putImageStream } from '../images/image-store'
import {
  ImageUpload,
  notAnImage,
  storedImageEntry,
  type UploadedImage,
} from '../images/image-upload'
import type { ImageInputs } from '../providers/image-provider'
import { createProvider, kieSettings, providerForJob } from '../providers/resolve-provider'
import { abortOrNetworkError } from '../providers/upstream-fetch'

export interface GenerationContext {
  env: Env
  user: UserRecord
  access: Access
  requestId: string
  /** Where generated images are served from, e.g. https://worker.example/v1/images. */
  imageBaseUrl: string
  /** Fires when the client disconnects or cancels. */
  signal: AbortSignal
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
  /** The request's Idempotency-Key, hashed: a job the account object finishes records its result. */
  idempotencyKeyHash?: string
}

export interface DeliveredFile {
  bytes: Uint8Array
  mimeType: ImageMimeType
  /** The bytes as base64, when the upstream sent them that way. */
  b64?: string
}

export interface GenerationOutcome {
  /**
   * Its `images` are the stored ones: all delivered images, unless `keepImages` was false, when
   * only those stored as they arrived (not in `files`) are, for the route to read back and delete.
   */
  result: GenerationResult
  /** The delivered images' bytes by index, when the route answers with them (`answerWithBytes`). */
  files: Map<number, DeliveredFile>
  /** The client left while the job ran: its images are stored and listed with the job already. */
  keptForLater?: boolean
}

const DEFAULT_TIMEOUT_MS = 6 * 60 * 1000
/** How long after its upstream timeout a request may still take to store images and settle. */
const SETTLING_GRACE_MS = 2 * 60 * 1000
/**
 * A job answered as JSON that is still running this long after the upstream accepted it (a KIE
 * task being polled) tells the account object so: if its isolate stops, the job is charged as the
 * upstream bills. A shorter one tells it with its settlement, one call fewer.
 */
const RECORD_ACCEPTANCE_AFTER_MS = 2000
/** How long a request waits for the account object to take over its job. */
const FOLLOW_ANSWER_MS = 10_000
const DEFAULT_IMAGE_TTL_SECONDS = 24 * 60 * 60
const DEFAULT_REFERENCE_TTL_SECONDS = 60 * 60

/**
 * The client has left and the user's account object now follows the job's KIE tasks to their end:
 * this request stops here, and the object settles the job.
 */
export class HandedOver extends ApiError {
  constructor() {
    super(
      'cancelled',
      'You left before the images were ready. They are being finished, and will be in History.',
    )
  }
}

/** How long a generated image is kept in storage. */
export function imageTtlSeconds(env: Env): number {
  return numberSetting(env.IMAGE_TTL_SECONDS, DEFAULT_IMAGE_TTL_SECONDS)
}

/** When a request that starts now can no longer be running, however it went. */
export function requestDeadline(env: Env, now = Date.now()): number {
  return now + numberSetting(env.UPSTREAM_TIMEOUT_MS, DEFAULT_TIMEOUT_MS) + SETTLING_GRACE_MS
}

function creditsWord(count: number): string {
  return count === 1 ? '1 credit' : `${count} credits`
}

function refused(
  reservation: Exclude<Awaited<ReturnType<ReturnType<typeof accountOf>['reserve']>>, { ok: true }>,
  cost: number,
): ApiError {
  if (reservation.reason === 'insufficient')
    return new ApiError(
      'insufficient_credits',
      `Not enough credits: this needs ${creditsWord(cost)} and you have ${creditsWord(reservation.balance)}. Ask your team admin for more credits, or choose fewer images or a lower quality.`,
    )
  if (reservation.reason === 'busy')
    return new ApiError(
      'too_many_running',
      `You already have ${reservation.running} generations running, the most at once. Wait for one to finish, then try again.`,
    )
  return refusalError(reservation.reason === 'unknown_user' ? 'revoked' : reservation.reason)
}

/**
 * One generation from start to finish: reserve the whole cost with the user's account object, call
 * the provider, store each image as it arrives, and settle: charged for the images stored, the
 * rest refunded, whatever went wrong. Once the upstream has accepted the job it runs to its end even
 * if the client leaves, because the upstream bills for it; its images are then kept for the
 * designer (GET /v1/generations/:request_id) and charged.
 */
function storageFailed(requestId: string, error: unknown): ApiError {
  console.error('image not stored', requestId, error)
  return new ApiError(
    'storage_unavailable',
    'Promptframe could not save the image, so its credits were refunded. Try again in a moment.',
  )
}

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

  const price = CREDIT_PRICES[request.model][request.quality]
  const cost = creditCost(request.model, request.quality, request.n)
  const account = accountOf(env, user.id)
  const reservation = await account.reserve(user.id, context.access, {
    requestId,
    credits: cost,
    price,
    until: requestDeadline(env),
    reason: `${references.length > 0 ? 'edit' : 'generate'} ${request.model} ${request.quality} x${request.n}`,
    model: request.model,
    provider,
    size: formatPixelSize(pixelSizeFor(request.model, request.size)),
    quality: request.quality,
    requested: request.n,
    limit: numberSetting(env.MAX_CONCURRENT_PER_USER, DEFAULT_MAX_CONCURRENT_GENERATIONS),
  })
  if (!reservation.ok) throw refused(reservation, cost)
  stage('accepted', `Reserved ${cost} credits`)

  // Before the upstream has the job, a client that leaves stops it and is refunded everything;
  // after, the job goes on, as the upstream bills for it, and its images are kept.
  let upstreamAccepted = false
  // An answer that streams tells the client as things happen, so the account records each step
  // first. One that answers at the end has told no one before it settles: its acceptance and
  // images go with the settlement, one call instead of one per image, unless its client leaves or
  // it is still running a while after its acceptance; from then on each step is recorded too.
  let recordAsItHappens = emit !== undefined
  let acceptanceTimer: ReturnType<typeof setTimeout> | undefined
  const unrecorded: (GeneratedImage | null)[] = []
  // What the account object knows, which is what it settles by if this request never does.
  const known = { accepted: false, images: 0 }
  /** Tells the object the job was accepted, with the images kept back so far; kept if that fails. */
  const recordAcceptance = (call: 'accepted' | 'clientLeft') => {
    const images = unrecorded.splice(0)
    void account[call](user.id, requestId, images).then(
      () => {
        known.accepted = true
        known.images += images.length
      },
      () => unrecorded.unshift(...images),
    )
  }
  // Images an answer that carries the bytes (`keepImages` false) is to hand over: delivered when
  // it goes, with the settlement. Should the client leave first, they are stored and listed
  // instead, so what the designer is charged for can be had from the job.
  const inAnswer = new Map<number, GeneratedImage | { bytes: Uint8Array; info: ImageInfo }>()
  let keeping: Promise<void> | null = null
  let notKept: ApiError | null = null
  const beforeAcceptance = new AbortController()
  const onClientGone = () => {
    if (!upstreamAccepted) return beforeAcceptance.abort(context.signal.reason)
    keeping = keepForLater()
    recordAcceptance('clientLeft')
    followElsewhere()
  }
  const record = async (image: GeneratedImage | null) => {
    if (recordAsItHappens || context.signal.aborted) {
      await account.addImage(user.id, requestId, image)
      known.images++
    } else unrecorded.push(image)
  }
  if (context.signal.aborted) onClientGone()
  else context.signal.addEventListener('abort', onClientGone, { once: true })
  const size = pixelSizeFor(request.model, request.size)
  const timeoutMs = numberSetting(env.UPSTREAM_TIMEOUT_MS, DEFAULT_TIMEOUT_MS)
  const timeout = AbortSignal.timeout(timeoutMs)
  const timeoutAt = Date.now() + timeoutMs
  const images: GeneratedImage[] = []
  const files = new Map<number, DeliveredFile>()
  const delivered = new Set<number>()
  const imageTtl = imageTtlSeconds(env)
  // KIE tasks the upstream has whose image is not stored yet. Once the client has gone and every
  // task is accepted, the account object follows them from its alarm, which no limit on work after
  // a response cuts short (waitUntil's 30 s in production), and this request stops.
  // An image leaves `openTasks` as soon as its bytes are stored: the request records it itself.
  const openTasks = new Map<number, string>()
  let tasksAccepted = 0
  // Tasks KIE refused to make: with those accepted, every image's task has had its answer.
  let tasksRefused = 0
  const handOver = new AbortController()
  let handingOver: Promise<boolean> | null = null
  const followElsewhere = () => {
    if (handingOver || openTasks.size === 0 || tasksAccepted + tasksRefused < request.n) return
    const tasks = [...openTasks].map(([index, taskId]) => ({ index, taskId }))
    const { apiKey, ...kie } = kieSettings(env)
    const settings = { kie, imageBaseUrl: context.imageBaseUrl, imageTtlSeconds: imageTtl }
    const options = { giveUpAt: timeoutAt, keyHash: context.idempotencyKeyHash }
    const images = unrecorded.splice(0)
    const call = account.follow(user.id, requestId, tasks, settings, apiKey, options, images)
    // An answer that never comes counts as a refusal: this request goes on with the job itself,
    // and the object drops the tasks of a job settled without it.
    let waiting: ReturnType<typeof setTimeout> | undefined
    const noAnswer = new Promise<false>((resolve) => {
      waiting = setTimeout(resolve, FOLLOW_ANSWER_MS, false)
    })
    handingOver = Promise.race([call, noAnswer])
      .finally(() => waiting !== undefined && clearTimeout(waiting))
      .then(
        (following) => {
          if (following) handOver.abort(new HandedOver())
          else unrecorded.unshift(...images)
          return following
        },
        (error) => {
          console.error('job not handed to the account object', requestId, error)
          unrecorded.unshift(...images)
          return false
        },
      )
  }
  const signal = AbortSignal.any([timeout, beforeAcceptance.signal, handOver.signal])

  /**
   * A stored image is the designer's: recorded with the account first, then announced. One the
   * route will not keep (it answers with the bytes, then deletes it) is counted but not listed.
   */
  const keepStored = async (index: number, stored: UploadedImage) => {
    openTasks.delete(index)
    const image = listedImage(index, stored)
    const listed = (context.keepImages ?? true) || context.signal.aborted
    if (listed) await record(image)
    else inAnswer.set(index, image)
    delivered.add(index)
    images.push(image)
    emit?.({ type: 'image', request_id: requestId, provider, image })
  }

  const listedImage = (index: number, stored: UploadedImage) =>
    storedImageEntry(context.imageBaseUrl, provider, index, stored)

  /** The client left before the answer carried these images: each is stored and listed. */
  async function keepForLater() {
    for (const [index, held] of [...inAnswer]) {
      inAnswer.delete(index)
      let image: GeneratedImage
      try {
        image =
          'id' in held
            ? held
            : listedImage(index, {
                id: await putImage(env.IMAGES, held.bytes, held.info, imageTtl),
                meta: held.info,
                bytes: held.bytes.length,
              })
      } catch (error) {
        // Not to be had, so not charged.
        delivered.delete(index)
        notKept = storageFailed(requestId, error)
        continue
      }
      await record(image).catch(() => unrecorded.push(image))
    }
  }

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
      onAccepted: (task) => {
        upstreamAccepted = true
        if (task) {
          openTasks.set(task.index, task.taskId)
          tasksAccepted++
        }
        // KIE accepts one task per image: the last acceptance after the client left hands over.
        if (context.signal.aborted) followElsewhere()
        const recordNow = () => {
          recordAsItHappens = true
          recordAcceptance('accepted')
        }
        // KIE accepts one task per image: the first acceptance starts the one wait.
        if (recordAsItHappens) recordNow()
        else acceptanceTimer ??= setTimeout(recordNow, RECORD_ACCEPTANCE_AFTER_MS)
      },
      onRefused: () => {
        tasksRefused++
        // The last answer about a task after the client left may be this refusal: hand over.
        if (context.signal.aborted) followElsewhere()
      },
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
        const ttl = numberSetting(env.REFERENCE_TTL_SECONDS, DEFAULT_REFERENCE_TTL_SECONDS)
        const body = await reference.stream()
        const id = await putImageStream(env.IMAGES, body, reference.byteLength, reference, ttl)
        return `${context.imageBaseUrl}/${id}`
      },
      deliver: async (index, bytes, b64) => {
        if (delivered.has(index) || index >= request.n) return
        const info = imageInfo(bytes)
        if (!info) throw notAnImage()
        // An answer that carries the bytes needs no stored copy, unless its client has left and
        // the image is only to be had later.
        const keep = (context.keepImages ?? true) || context.signal.aborted
        if (context.answerWithBytes) files.set(index, { bytes, mimeType: info.mimeType, b64 })
        if (!keep) {
          openTasks.delete(index)
          delivered.add(index)
          inAnswer.set(index, { bytes, info })
          return
        }
        if (delivered.size + 1 === request.n) stage('storing', 'Saving the images')
        const id = await putImage(env.IMAGES, bytes, info, imageTtl).catch((error) => {
          files.delete(index)
          throw storageFailed(requestId, error)
        })
        await keepStored(index, { id, meta: info, bytes: bytes.length })
      },
      // A large answer's images are stored as they arrive, one part at a time; a route that answers
      // with the bytes reads those back from storage as it writes its answer.
      upload: (index) => {
        const upload = new ImageUpload(env.IMAGES, imageTtl)
        const wanted = !delivered.has(index) && index < request.n
        // Not an image is the model's fault; anything else here is storage's.
        const blame = (error: unknown) => {
          throw error instanceof ApiError ? error : storageFailed(requestId, error)
        }
        return {
          write: (bytes) => (wanted ? upload.write(bytes).catch(blame) : undefined),
          close: async () => {
            if (!wanted) return
            if (delivered.size + 1 === request.n) stage('storing', 'Saving the images')
            await keepStored(index, await upload.finish().catch(blame))
          },
          abort: () => upload.abort(),
        }
      },
    })
  } catch (error) {
    failure = abortOrNetworkError(error, signal)
  } finally {
    context.signal.removeEventListener('abort', onClientGone)
    if (acceptanceTimer !== undefined) clearTimeout(acceptanceTimer)
  }
  // Once the object follows the job, it settles it, whatever this request saw end first. Images
  // still kept back (a call that failed put them back) are its last news from this request.
  if (handingOver && (await handingOver)) {
    await keeping
    if (unrecorded.length > 0)
      await account
        .accepted(user.id, requestId, unrecorded.splice(0))
        .catch((error) => console.error('images not recorded after a hand-over', requestId, error))
    throw new HandedOver()
  }
  await keeping
  failure ??= notKept
  if (!failure && delivered.size < request.n) {
    failure = new ApiError(
      'upstream_malformed',
      'The image model sent fewer images than asked. The missing ones were refunded.',
    )
  }

  // Settled before the answer is complete: a crash after this never gives delivered images back.
  const undelivered = request.n - delivered.size
  const settlement = await account
    .settle(user.id, requestId, {
      state: failure ? (delivered.size > 0 ? 'done' : 'failed') : 'done',
      error: failure?.message,
      accepted: upstreamAccepted,
      delivered: [...unrecorded.splice(0), ...[...inAnswer.keys()].map(() => null)],
      deliveredCount: delivered.size,
      refundReason: `${undelivered} of ${request.n} not delivered (${failure?.type ?? 'unknown'})`,
    })
    .catch((error) => {
      console.error('settlement not recorded', requestId, error)
      // Left to itself, the object charges in full a job it knows was accepted, as the upstream
      // bills for it, and otherwise the images it knows of.
      throw new ApiError(
        'storage_unavailable',
        known.accepted
          ? 'Promptframe could not settle this request just now; it settles on its own within minutes. The image model had already started it, and its provider bills for that, so it is charged in full; the images it saved are kept for you.'
          : `Promptframe could not settle this request just now. The ${creditsWord(cost - known.images * price)} it did not use come back on their own within minutes; if they do not, let your team admin know.`,
      )
    })
  const credits = {
    charged: settlement.settledNow ? settlement.charged : cost - undelivered * price,
    refunded: settlement.settledNow ? settlement.refunded : undelivered * price,
    balance: settlement.balance,
  }
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
  return { result, files, keptForLater: keeping !== null }
}
