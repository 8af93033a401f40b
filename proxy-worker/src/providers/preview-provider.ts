import { encodeBase64 } from '../../../shared'
import { decodePixels } from '../images/decode-pixels'
import { abortableDelay } from './abortable-delay'
import type { ImageJob, ImageProvider } from './image-provider'
import { type PreviewSpec, renderPreviewPng } from './preview/render-preview'

/** A masked edit keeps the first reference outside the mask; WebP references are not decoded. */
async function maskedEdit(job: ImageJob): Promise<PreviewSpec['edit']> {
  const [first] = job.references
  if (!job.mask || !first) return undefined
  const reference = decodePixels(await first.bytes())
  const mask = decodePixels(await job.mask.bytes())
  return reference && mask ? { reference, mask } : undefined
}

/** How much smaller the streamed partial preview is than the final image. */
const PARTIAL_DIVISOR = 8
/** The share of the delay spent "queued" before the stand-in upstream accepts the job. */
const QUEUED_SHARE = 0.4

/**
 * Renders marked, deterministic stand-ins offline, so the product works with no key and no network.
 * `delayMs` imitates a model's latency, for trying progress and cancel by hand: the first 40% is
 * spent queued, before the job counts as accepted (and billed, as a real upstream would bill it),
 * then half the rest to the partial preview and the other half to the final image.
 */
export function previewProvider(delayMs: number): ImageProvider {
  return {
    name: 'preview',
    async generate(job) {
      const base = {
        prompt: job.prompt,
        seed: job.seed,
        transparent: job.background === 'transparent',
        edit: await maskedEdit(job),
      }
      const working = delayMs * (1 - QUEUED_SHARE)
      await abortableDelay(delayMs * QUEUED_SHARE, job.signal)
      job.onAccepted()
      await Promise.all(
        Array.from({ length: job.n }, async (_, index) => {
          // Images finish one after another, as a model's do, so a cancel can fall between them.
          await abortableDelay((working / 2) * (1 + index / job.n), job.signal)
          if (job.onPartial) {
            const partial = await renderPreviewPng({
              ...base,
              index,
              width: Math.max(1, Math.round(job.size.width / PARTIAL_DIVISOR)),
              height: Math.max(1, Math.round(job.size.height / PARTIAL_DIVISOR)),
              withText: false,
            })
            job.onPartial({
              index,
              partialIndex: 0,
              mimeType: 'image/png',
              b64: encodeBase64(partial),
            })
          }
          await abortableDelay(working / 2, job.signal)
          const png = await renderPreviewPng({ ...base, index, ...job.size, withText: true })
          job.signal.throwIfAborted()
          await job.deliver(index, png)
        }),
      )
    },
  }
}
