import { renderPreviewPng } from '../../../proxy-worker/src/providers/preview/render-preview'
import { imageInfo, pngHasAlpha } from '../../../shared'
import { base64 } from '../fixtures/tiny-images'
import { contractErrors, multipartAsObject } from './openai-contract'

export interface RecordedOpenAiCall {
  url: string
  path: string
  headers: Headers
  body: Record<string, unknown>
  /** The file parts of an edit, by field name (image[] as image). */
  files: Record<string, Uint8Array[]>
  /** Their file names, as sent. */
  fileNames: string[]
  contractErrors: string[]
}

async function filesOf(form: FormData): Promise<Record<string, Uint8Array[]>> {
  const files: Record<string, Uint8Array[]> = {}
  for (const [name, value] of form.entries()) {
    if (typeof value === 'string') continue
    const field = name.replace(/\[\]$/, '')
    files[field] = [...(files[field] ?? []), new Uint8Array(await value.arrayBuffer())]
  }
  return files
}

/** OpenAI's rule for a mask: a PNG with transparency, the size of the first image. */
function maskProblem(files: Record<string, Uint8Array[]>): string | null {
  const [mask] = files.mask ?? []
  const [image] = files.image ?? []
  if (!mask) return null
  const maskInfo = imageInfo(mask)
  const imageSize = image ? imageInfo(image) : null
  if (maskInfo?.mimeType !== 'image/png' || !pngHasAlpha(mask))
    return 'Invalid mask: it must be a PNG with an alpha channel.'
  if (maskInfo.width !== imageSize?.width || maskInfo.height !== imageSize?.height)
    return 'Invalid mask image: it must have the same dimensions as the image.'
  return null
}

export type OpenAiBehaviour =
  | { kind: 'images'; count?: number; delayMs?: number; corruptIndex?: number }
  | { kind: 'error'; status: number; code: string | null; message: string; type?: string }
  | { kind: 'malformed' }
  | { kind: 'hang' }

async function imageB64(width: number, height: number, seed: number): Promise<string> {
  return base64(
    await renderPreviewPng({
      prompt: 'fake openai',
      width,
      height,
      seed,
      index: 0,
      transparent: false,
      withText: false,
    }),
  )
}

function sse(events: unknown[]): string {
  return events
    .map(
      (event) => `event: ${(event as { type: string }).type}\ndata: ${JSON.stringify(event)}\n\n`,
    )
    .join('')
}

function wait(ms: number, signal?: AbortSignal | null) {
  return new Promise<void>((resolve, reject) => {
    const timer = setTimeout(resolve, ms)
    signal?.addEventListener('abort', () => {
      clearTimeout(timer)
      reject(signal.reason ?? new DOMException('aborted', 'AbortError'))
    })
  })
}

/**
 * A stand-in for the OpenAI Images API that answers as its published spec says: ImagesResponse with
 * b64_json, image_generation.* / image_edit.* stream events, and ErrorResponse bodies. Every request
 * it receives is recorded with its conformance errors against the spec.
 */
export function fakeOpenAi(behaviour: OpenAiBehaviour = { kind: 'images' }) {
  const calls: RecordedOpenAiCall[] = []
  const handler = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const request = new Request(input, init)
    const url = new URL(request.url)
    const path = url.pathname.replace(/^\/v1/, '')
    const isEdit = path === '/images/edits'
    const form = isEdit ? await request.formData() : null
    const body = form
      ? await multipartAsObject(form)
      : ((await request.json()) as Record<string, unknown>)
    const files = form ? await filesOf(form) : {}
    const fileNames = form
      ? [...form.values()].flatMap((value) => (typeof value === 'string' ? [] : [value.name]))
      : []
    const schema = isEdit ? 'CreateImageEditRequest' : 'CreateImageRequest'
    calls.push({
      url: request.url,
      path,
      headers: request.headers,
      body,
      files,
      fileNames,
      contractErrors: contractErrors(schema, body),
    })
    const badMask = maskProblem(files)
    if (badMask) {
      return Response.json(
        { error: { message: badMask, type: 'invalid_request_error', param: 'mask', code: null } },
        { status: 400 },
      )
    }

    if (behaviour.kind === 'hang') {
      await wait(3_600_000, init?.signal)
    }
    if (behaviour.kind === 'error') {
      return Response.json(
        {
          error: {
            message: behaviour.message,
            type: behaviour.type ?? 'invalid_request_error',
            param: null,
            code: behaviour.code,
          },
        },
        { status: behaviour.status },
      )
    }
    if (behaviour.kind === 'malformed') {
      return new Response('<html>bad gateway</html>', {
        status: 200,
        headers: { 'Content-Type': 'text/html' },
      })
    }
    if (behaviour.kind === 'images' && behaviour.delayMs)
      await wait(behaviour.delayMs, init?.signal)
    const [width, height] = String(body.size ?? '1024x1024')
      .split('x')
      .map(Number)
    const count =
      behaviour.kind === 'images' && behaviour.count !== undefined
        ? behaviour.count
        : Number(body.n ?? 1)
    const common = {
      size: ['1024x1024', '1536x1024', '1024x1536'].includes(String(body.size))
        ? body.size
        : 'auto',
      quality: body.quality ?? 'auto',
      background: body.background ?? 'auto',
      output_format: body.output_format ?? 'png',
    }
    if (body.stream) {
      const prefix = isEdit ? 'image_edit' : 'image_generation'
      const partials = await Promise.all(
        Array.from({ length: Number(body.partial_images ?? 0) }, async (_, index) => ({
          type: `${prefix}.partial_image`,
          b64_json: await imageB64(64, 64, index),
          created_at: 1_700_000_000,
          partial_image_index: index,
          ...common,
        })),
      )
      const completed = {
        type: `${prefix}.completed`,
        b64_json: await imageB64(width, height, 99),
        created_at: 1_700_000_000,
        ...common,
        usage: {
          total_tokens: 10,
          input_tokens: 5,
          output_tokens: 5,
          input_tokens_details: { text_tokens: 5, image_tokens: 0 },
        },
      }
      return new Response(sse(count === 0 ? partials : [...partials, completed]), {
        headers: { 'Content-Type': 'text/event-stream' },
      })
    }
    const corruptIndex = behaviour.kind === 'images' ? behaviour.corruptIndex : undefined
    const data = await Promise.all(
      Array.from({ length: count }, async (_, index) => ({
        b64_json:
          index === corruptIndex ? btoa('not an image') : await imageB64(width, height, index),
      })),
    )
    // ImagesResponse reports what was made: never "auto".
    return Response.json({
      created: 1_700_000_000,
      data,
      background: body.background === 'transparent' ? 'transparent' : 'opaque',
      output_format: common.output_format,
      ...(common.size === 'auto' ? {} : { size: common.size }),
      quality: body.quality && body.quality !== 'auto' ? body.quality : 'medium',
    })
  }
  return { handler, calls }
}
