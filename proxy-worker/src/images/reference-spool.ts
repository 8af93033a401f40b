import type { ImageInfo } from '../../../shared'
import { sha256Hex } from '../accounts/token-hash'
import { ApiError } from '../http/api-error'
import type { ReferenceImage } from '../providers/image-provider'

/** A reference whose bytes have passed every check, not yet kept anywhere. */
export interface CheckedImage extends ImageInfo {
  bytes: Uint8Array
}

/** A reference held in memory: the small ones that came inside a JSON body. */
export async function heldReference(image: CheckedImage, name: string): Promise<ReferenceImage> {
  const { bytes, ...info } = image
  return {
    ...info,
    name,
    byteLength: bytes.length,
    digest: await sha256Hex(bytes),
    bytes: async () => bytes,
    stream: async () => new Response(bytes).body as ReadableStream<Uint8Array>,
  }
}

/**
 * Where an edit's multipart references wait in R2 between their checks and the upstream call, so a
 * request holds one reference at a time, not all of them. The keys are not image ids, so nothing
 * serves them; they are deleted when the generation is over, and the bucket's lifecycle rule
 * deletes any a crash leaves behind.
 */
export class ReferenceSpool {
  readonly #bucket: R2Bucket
  readonly #prefix: string
  readonly #keys: string[] = []

  constructor(bucket: R2Bucket, requestId: string) {
    this.#bucket = bucket
    this.#prefix = `spool/${requestId}`
  }

  async keep(image: CheckedImage, name: string): Promise<ReferenceImage> {
    const { bytes, ...info } = image
    const key = `${this.#prefix}/${this.#keys.length}`
    this.#keys.push(key)
    // One after the other: each takes its own copy of the bytes, and a reference may be 10 MB.
    const digest = await sha256Hex(bytes)
    await this.#bucket.put(key, bytes).catch((error) => {
      console.error('reference not stored', key, error)
      throw new ApiError(
        'storage_unavailable',
        'Promptframe could not take in the reference images just now, so nothing was charged. Try again in a moment.',
      )
    })
    const open = async () => {
      const object = await this.#bucket.get(key)
      if (!object) throw new Error(`spooled reference ${key} is gone`)
      return object.body
    }
    return {
      ...info,
      name,
      byteLength: bytes.length,
      digest,
      bytes: async () => new Uint8Array(await new Response(await open()).arrayBuffer()),
      stream: open,
    }
  }

  /** Deletes every reference kept; safe to call more than once. */
  async release(): Promise<void> {
    if (this.#keys.length === 0) return
    const keys = [...this.#keys]
    await this.#bucket.delete(keys)
    this.#keys.splice(0, keys.length)
  }
}
