import { type Context, Hono } from 'hono'
import {
  encodeBase64,
  type GenerateRequest,
  type GenerationResult,
  MAX_EDIT_BODY_BYTES,
  MAX_JSON_BODY_BYTES,
  MAX_JSON_EDIT_BODY_BYTES,
  OpenAiFormEditFieldsSchema,
  type OpenAiGenerationRequest,
  OpenAiGenerationRequestSchema,
  type OpenAiImagesResponse,
  OpenAiJsonEditRequestSchema,
  type StreamEvent,
} from '../../../shared'
import type { AppEnv } from '../env'
import { keepUnanswered } from '../generation/keep-unanswered'
import { readMultipartEdit } from '../generation/read-multipart-edit'
import { inputsFromDataUrls } from '../generation/read-references'
import { claimSlot, generateOnce, imageBaseUrl } from '../generation/respond-with-generation'
import type { DeliveredFile } from '../generation/run-generation'
import { sseStream } from '../generation/sse-stream'
import { ApiError } from '../http/api-error'
import { requireUser } from '../http/authenticate'
import { openAiErrorBody, toApiError } from '../http/error-response'
import { bytesSource, type ImageSource, imagesJsonStream } from '../http/images-json-stream'
import { limitBody, limitEditBody } from '../http/limit-body'
import { bodyKind, parseBody, readJsonBody } from '../http/read-body'
import { requireJson, valid } from '../http/validation'
import { getImage } from '../images/image-store'
import { type ImageInputs, NO_INPUTS } from '../providers/image-provider'

type OpenAiOptions = Pick<OpenAiGenerationRequest, 'response_format' | 'stream'>

const RESPONSE_SIZES = ['1024x1024', '1024x1536', '1536x1024'] as const

function toRequest(body: OpenAiGenerationRequest): GenerateRequest {
  const { prompt, model, n, size, quality, background, output_format } = body
  return { prompt, model, n, size, quality, background, output_format }
}

function describeResult(
  result: GenerationResult,
  files: Map<number, DeliveredFile>,
  request: GenerateRequest,
): Omit<OpenAiImagesResponse, 'data' | 'created'> {
  const size = RESPONSE_SIZES.find((candidate) => candidate === result.size)
  const mimeType = [...files.values()][0]?.mimeType ?? result.images[0]?.mime_type
  const format = mimeType?.split('/')[1] as 'png' | 'jpeg' | 'webp' | undefined
  return {
    background: request.background === 'transparent' ? 'transparent' : 'opaque',
    ...(format ? { output_format: format } : {}),
    ...(size ? { size } : {}),
    quality: result.quality,
  }
}

const EXPIRED_KEY_IMAGES = 'The images of this Idempotency-Key have expired. Use a new key.'

/** One stored image's bytes, as a stream. */
async function storedImage(c: Context<AppEnv>, id: string): Promise<ReadableStream<Uint8Array>> {
  const found = await getImage(c.env.IMAGES, id)
  if (!found) throw new ApiError('not_found', EXPIRED_KEY_IMAGES)
  return found.body
}

/**
 * The answer's images in order, as base64, one at a time: those it carried as bytes, and the rest
 * read back from storage (a large answer's, a KIE result's, a replay's), each only when its turn
 * comes, so a stream of ten 4K images never holds more than one.
 */
async function* imagesInOrder(
  c: Context<AppEnv>,
  result: GenerationResult,
  files: Map<number, DeliveredFile>,
): AsyncGenerator<string> {
  const stored = new Map(result.images.map((image) => [image.index, image.id]))
  const indices = new Set([...files.keys(), ...stored.keys()])
  for (const index of [...indices].sort((a, b) => a - b)) {
    const file = files.get(index)
    files.delete(index)
    yield file
      ? (file.b64 ?? encodeBase64(file.bytes))
      : encodeBase64(
          new Uint8Array(
            await new Response(await storedImage(c, stored.get(index)!)).arrayBuffer(),
          ),
        )
  }
}

/**
 * What becomes of images an answer carries, once it ends. Read to its end, those it read back from
 * storage go (nothing replays them). Left before its end, every image is charged as delivered, so
 * each is kept for the designer with its job. Call before the answer takes `files` away.
 */
function whenAnswerEnds(
  c: Context<AppEnv>,
  result: GenerationResult,
  files: Map<number, DeliveredFile>,
): (whole: boolean) => Promise<void> {
  // The bytes alone: the upstream's base64 of each is not needed to keep it.
  const carried = new Map([...files].map(([index, file]) => [index, { ...file, b64: undefined }]))
  const stored = result.images.filter((image) => !carried.has(image.index)).map((image) => image.id)
  return async (whole) => {
    if (!whole) return keepUnanswered(c.env, c.get('user').id, imageBaseUrl(c), result, carried)
    if (stored.length > 0) await c.env.IMAGES.delete(stored).catch(() => {})
  }
}

const USAGE_UNKNOWN = {
  total_tokens: 0,
  input_tokens: 0,
  output_tokens: 0,
  input_tokens_details: { text_tokens: 0, image_tokens: 0 },
}

/** Answers in OpenAI's dialect: `ImagesResponse` with b64_json, or its image stream events. */
async function respondOpenAi(
  c: Context<AppEnv>,
  request: GenerateRequest,
  inputs: ImageInputs,
  options: OpenAiOptions,
  eventPrefix: 'image_generation' | 'image_edit',
): Promise<Response> {
  const slot = await claimSlot(c, request, inputs)
  const replay = slot?.replay

  // The bytes go back in the answer; storage is needed only for URLs, or to replay a key.
  const keepImages = Boolean(slot) || options.response_format === 'url'
  if (!options.stream) {
    const { result, files, keptForLater } = replay
      ? { result: replay, files: new Map<number, DeliveredFile>(), keptForLater: false }
      : await generateOnce(c, slot, request, inputs, {
          signal: c.req.raw.signal,
          keepImages,
          answerWithBytes: true,
        })
    const created = Math.floor(Date.now() / 1000)
    const tail = describeResult(result, files, request)
    if (options.response_format === 'url') {
      const body: OpenAiImagesResponse = {
        created,
        data: result.images.map((image) => ({ url: image.url })),
        ...tail,
      }
      return c.json(body)
    }
    // An image that was stored as it arrived (a large OpenAI answer) is read back from storage
    // as the answer is written, so it is never held whole; unless a key may replay it, it goes
    // once written.
    const stored = result.images.filter((image) => !files.has(image.index))
    const sources = new Map<number, ImageSource>()
    for (const image of stored) sources.set(image.index, () => storedImage(c, image.id))
    for (const [index, file] of files) sources.set(index, bytesSource(file.bytes))
    const answerEnded = whenAnswerEnds(c, result, files)
    files.clear()
    const inOrder = [...sources.entries()].sort(([a], [b]) => a - b).map(([, source]) => source)
    const { promise: read, resolve } = Promise.withResolvers<boolean>()
    const answer = imagesJsonStream({ created }, inOrder, tail, resolve)
    // A client that left during the generation gets its images later from the job: kept then.
    if (!keepImages && !keptForLater) c.executionCtx.waitUntil(read.then(answerEnded))
    return c.body(answer, 200, { 'Content-Type': 'application/json' })
  }

  // Streamed events carry each image's bytes whole, as OpenAI's do.
  const run = (signal: AbortSignal, emit?: (event: StreamEvent) => void) =>
    replay
      ? Promise.resolve({
          result: replay,
          files: new Map<number, DeliveredFile>(),
          keptForLater: false,
        })
      : generateOnce(c, slot, request, inputs, { signal, emit, keepImages, answerWithBytes: true })

  // What becomes of the answer's images once it ends: decided when it has images to carry. An
  // answer an error broke off did not carry them all, however far its client read.
  let answerEnded = async (_whole: boolean) => {}
  let allWritten = false
  const { response, done, read } = sseStream<{ type: string; [field: string]: unknown }>(
    async ({ send: write, signal, sent }) => {
      const common = (result?: GenerationResult) => ({
        created_at: Math.floor(Date.now() / 1000),
        size:
          result?.size && (RESPONSE_SIZES as readonly string[]).includes(result.size)
            ? result.size
            : 'auto',
        quality: request.quality,
        background: request.background,
        output_format: request.output_format,
      })
      try {
        const { result, files, keptForLater } = await run(signal, (event) => {
          if (event.type === 'partial') {
            write({
              type: `${eventPrefix}.partial_image`,
              b64_json: event.b64_json,
              partial_image_index: event.partial_index,
              ...common(),
            })
          }
        })
        // A client that left during the generation gets its images later from the job: kept then.
        if (!keepImages && !keptForLater) answerEnded = whenAnswerEnds(c, result, files)
        for await (const b64_json of imagesInOrder(c, result, files)) {
          if (signal.aborted) break
          write({
            type: `${eventPrefix}.completed`,
            b64_json,
            ...common(result),
            usage: USAGE_UNKNOWN,
          })
          // One image at a time: the next is read only once the client has this one.
          await sent()
        }
        allWritten = !signal.aborted
      } catch (error) {
        const apiError = toApiError(error)
        write({ type: 'error', ...openAiErrorBody(apiError.type, apiError.message) })
      }
    },
    c.req.raw.signal,
  )
  c.executionCtx.waitUntil(done)
  // Decided once the answer has been written: a client may have left before it had images to carry.
  c.executionCtx.waitUntil(done.then(() => read).then((whole) => answerEnded(whole && allWritten)))
  return response
}

/** OpenAI's edit shapes: multipart `image`/`image[]` and `mask` files, or JSON `images` and `mask`. */
async function readOpenAiEdit(c: Context<AppEnv>) {
  const kind = bodyKind(c)
  if (kind === 'form') {
    const { fields, inputs } = await readMultipartEdit(
      c.req.raw,
      c.env.IMAGES,
      c.get('requestId'),
      {
        fieldsSchema: OpenAiFormEditFieldsSchema,
        imageFields: ['image', 'image[]'],
        maskField: 'mask',
        filesHint: 'Send the images as multipart file parts.',
      },
    )
    return { body: fields, inputs }
  }
  if (kind === 'json') {
    const body = parseBody(OpenAiJsonEditRequestSchema, await readJsonBody(c))
    const images = body.images.map((image) => image.image_url)
    return { body, inputs: await inputsFromDataUrls(images, body.mask?.image_url) }
  }
  throw new ApiError('unsupported_media_type', 'Send an edit as multipart/form-data or as JSON.')
}

export const openAiImages = new Hono<AppEnv>()

openAiImages.post(
  '/generations',
  requireUser,
  limitBody(MAX_JSON_BODY_BYTES),
  requireJson,
  valid('json', OpenAiGenerationRequestSchema),
  (c) => {
    const body = c.req.valid('json')
    return respondOpenAi(c, toRequest(body), NO_INPUTS, body, 'image_generation')
  },
)

openAiImages.post(
  '/edits',
  requireUser,
  limitEditBody(MAX_EDIT_BODY_BYTES, MAX_JSON_EDIT_BODY_BYTES),
  async (c) => {
    const { body, inputs } = await readOpenAiEdit(c)
    return respondOpenAi(c, toRequest(body), inputs, body, 'image_edit')
  },
)
