import { imageInfo } from '../../../shared'
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

export const notAnImage = () =>
  new ApiError(
    'upstream_malformed',
    'The image model sent something that is not an image. Your credits were refunded: try again.',
  )

/**
 * One image written to R2 as its bytes arrive, so a request holds one 5 MiB part of it at a time
 * whatever the image's size: a small image is put whole, a larger one goes up as a multipart
 * upload. What the image is (format, width, height) is read from its first part.
 */
export class ImageUpload {
  private part = new Uint8Array(PART_BYTES)
  private filled = 0
  private total = 0
  private meta: StoredImageMeta | null = null
  private upload: R2MultipartUpload | null = null
  private parts: R2UploadedPart[] = []

  constructor(
    private readonly bucket: R2Bucket,
    private readonly ttlSeconds: number,
  ) {}

  async write(bytes: Uint8Array): Promise<void> {
    let at = 0
    while (at < bytes.length) {
      const taken = Math.min(bytes.length - at, PART_BYTES - this.filled)
      this.part.set(bytes.subarray(at, at + taken), this.filled)
      this.filled += taken
      this.total += taken
      at += taken
      if (this.filled === PART_BYTES) await this.sendPart()
    }
  }

  private describe(): StoredImageMeta {
    if (!this.meta) {
      const info = imageInfo(this.part.subarray(0, this.filled))
      if (!info) throw notAnImage()
      this.meta = info
    }
    return this.meta
  }

  private async sendPart() {
    const meta = this.describe()
    if (!this.upload) {
      this.upload = await this.bucket.createMultipartUpload(
        randomToken('img_', 24),
        storedImageOptions(meta, this.ttlSeconds),
      )
    }
    // Awaited before the buffer is filled again, so it can be sent without a copy.
    const body = this.part.subarray(0, this.filled)
    this.parts.push(await this.upload.uploadPart(this.parts.length + 1, body))
    this.filled = 0
  }

  /** The image has ended: stores what is left and returns where it is. */
  async finish(): Promise<UploadedImage> {
    if (!this.upload) {
      const meta = this.describe()
      const id = await putImage(
        this.bucket,
        this.part.subarray(0, this.filled),
        meta,
        this.ttlSeconds,
      )
      return { id, meta, bytes: this.total }
    }
    if (this.filled > 0) await this.sendPart()
    await this.upload.complete(this.parts)
    return { id: this.upload.key, meta: this.describe(), bytes: this.total }
  }

  /** Gives up, leaving nothing half stored. */
  async abort(): Promise<void> {
    await this.upload?.abort().catch(() => {})
  }
}
