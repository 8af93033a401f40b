import type {
  AspectRatio,
  Background,
  ImageMimeType,
  ModelId,
  OutputFormat,
  PixelSize,
  Provider,
  Quality,
} from '../../../shared'
import type { DecodedImageTarget } from './read-b64-images'

/** A checked reference, wherever its bytes are kept: read it, or stream it on, when needed. */
export interface ReferenceImage {
  mimeType: ImageMimeType
  width: number
  height: number
  /** What upstreams see as its file name: reference-N.ext or mask.png, never the client's. */
  name: string
  byteLength: number
  /** SHA-256 of the bytes, in hex: what an Idempotency-Key's request is recognised by. */
  digest: string
  bytes: () => Promise<Uint8Array>
  stream: () => Promise<ReadableStream<Uint8Array>>
}

/** What an edit works from: its references, and the mask that limits it to an area of the first. */
export interface ImageInputs {
  references: ReferenceImage[]
  /** A PNG of the first reference's size whose transparent pixels mark the area to change. */
  mask: ReferenceImage | null
  /** Lets go of where the references are kept, once nothing will read them; idempotent. */
  release: () => Promise<void>
}

export const NO_INPUTS: ImageInputs = { references: [], mask: null, release: async () => {} }

export interface PartialPreview {
  index: number
  partialIndex: number
  mimeType: string
  b64: string
}

/** A task the upstream runs on its own, for one image: anyone with its id can follow it. */
export interface UpstreamTask {
  index: number
  taskId: string
}

export interface ImageJob {
  prompt: string
  model: ModelId
  size: PixelSize
  aspectRatio: AspectRatio
  quality: Quality
  n: number
  background: Background
  outputFormat: OutputFormat
  references: ReferenceImage[]
  mask: ReferenceImage | null
  seed: number
  signal: AbortSignal
  /**
   * Hands over each finished image as soon as it exists, so a later failure cannot lose it; with
   * the base64 it arrived as, when it did, so answers in base64 need not encode it again.
   */
  deliver: (index: number, bytes: Uint8Array, b64?: string) => Promise<void>
  /**
   * Stores the image at `index` piece by piece as its bytes arrive, for answers too large to hold;
   * it is delivered when its target is closed.
   */
  upload: (index: number) => DecodedImageTarget
  /**
   * The upstream has the job (and will bill for it): from now on it runs to its end even if the
   * client leaves, and its images are kept for the designer. An upstream whose work can be checked
   * on from elsewhere (a KIE task) says which image the task is for.
   */
  onAccepted: (task?: UpstreamTask) => void
  /** An upstream that takes one task per image refused the task for this one: it will not come. */
  onRefused?: (index: number) => void
  /** Present when the client streams: low-resolution previews on their way to the final image. */
  onPartial?: (preview: PartialPreview) => void
  /** Gives a reference a short-lived public URL, for upstreams that fetch references themselves. */
  publishReference: (reference: ReferenceImage) => Promise<string>
}

export interface ImageProvider {
  name: Provider
  /** Delivers up to job.n images; throws an ApiError when the upstream fails. */
  generate(job: ImageJob): Promise<void>
}
