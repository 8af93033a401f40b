import { type GeneratedImage, type GenerationResult, imageInfo } from '../../../shared'
import { randomToken } from '../accounts/token-hash'
import { ApiError } from '../http/api-error'
import { putImage, type StoredImageMeta, storedImageOptions } from './image-store'

/** R2 takes multipart parts of at least 5 MiB, all the same size but the last. */
export const PART_BYTES = 5 * 1024 * 1024

export interface UploadedImage {
  id: string
  meta: StoredImageMeta
  bytes: number
}

/** A stored image as its job lists it. */
export function storedImageEntry(
  imageBaseUrl: string,
  provider: GenerationResult['provider'],
  index: number,
  stored: UploadedImage,
): GeneratedImage {
  return {
    id: stored.id,
    index,
    url: `${imageBaseUrl}/${stored.id}`,
    width: stored.meta.width,
    height: stored.meta.height,
    mime_type: stored.meta.mimeType,
    bytes: stored.bytes,
    preview: provider === 'preview',
  }
}

export const notAnImage = () =>
  new ApiError(
    'upstream_malformed',
    'The image model sent something that is not an image. Your credits were refunded: try again.',
  )

/**
 * One image written to R2 as its bytes arrive, so a request holds at most one 5 MiB part of it
 * (and the piece just decoded) whatever the image's size: a small image is put whole, a larger one
 * goes up as a multipart upload. What the image is (format, width, height) is read from its first
 * part.
 */
export class ImageUpload {
  /** Decoded bytes not yet stored: less than one part, but for the piece that just arrived. */
  private pending: Uint8Array[] = []
  private pendingBytes = 0
  private total = 0
  private meta: StoredImageMeta | null = null
  private upload: R2MultipartUpload | null = null
  private parts: R2UploadedPart[] = []

  constructor(
    private readonly bucket: R2Bucket,
    private readonly ttlSeconds: number,
  ) {}

  async write(bytes: Uint8Array): Promise<void> {
    if (bytes.length === 0) return
    this.pending.push(bytes)
    this.pendingBytes += bytes.length
    this.total += bytes.length
    while (this.pendingBytes >= PART_BYTES) await this.sendPart(this.take(PART_BYTES))
  }

  /** The first `count` pending bytes as one array (a view, when they are one piece already). */
  private take(count: number): Uint8Array {
    if (count === 0) return new Uint8Array(0)
    const first = this.pending[0]
    if (first.length >= count) {
      this.pending[0] = first.subarray(count)
      if (this.pending[0].length === 0) this.pending.shift()
      this.pendingBytes -= count
      return first.subarray(0, count)
    }
    const joined = new Uint8Array(count)
    let filled = 0
    while (filled < count) {
      const piece = this.pending[0]
      const taken = Math.min(piece.length, count - filled)
      joined.set(piece.subarray(0, taken), filled)
      filled += taken
      if (taken === piece.length) this.pending.shift()
      else this.pending[0] = piece.subarray(taken)
    }
    this.pendingBytes -= count
    return joined
  }

  private describe(head: Uint8Array): StoredImageMeta {
    if (!this.meta) {
      const info = imageInfo(head)
      if (!info) throw notAnImage()
      this.meta = info
    }
    return this.meta
  }

  private async sendPart(part: Uint8Array) {
    const meta = this.describe(part)
    this.upload ??= await this.bucket.createMultipartUpload(
      randomToken('img_', 24),
      storedImageOptions(meta, this.ttlSeconds),
    )
    this.parts.push(await this.upload.uploadPart(this.parts.length + 1, part))
  }

  /** The image has ended: stores what is left and returns where it is. */
  async finish(): Promise<UploadedImage> {
    const rest = this.take(this.pendingBytes)
    if (!this.upload) {
      const meta = this.describe(rest)
      const id = await putImage(this.bucket, rest, meta, this.ttlSeconds)
      return { id, meta, bytes: this.total }
    }
    if (rest.length > 0) await this.sendPart(rest)
    await this.upload.complete(this.parts)
    return { id: this.upload.key, meta: this.meta!, bytes: this.total }
  }

  /** Gives up, leaving nothing half stored. */
  async abort(): Promise<void> {
    await this.upload?.abort().catch(() => {})
  }
}
