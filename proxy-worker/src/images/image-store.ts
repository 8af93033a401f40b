import type { ImageMimeType } from '../../../shared'
import { randomToken } from '../accounts/token-hash'

export interface StoredImageMeta {
  mimeType: ImageMimeType
  width: number
  height: number
}

/**
 * Images live in R2: strongly consistent, so a URL works everywhere the moment it is handed out,
 * including for KIE fetching a reference from far away. Expiry is checked on every read; a bucket
 * lifecycle rule deletes the objects later (see the README).
 */
export async function putImage(
  bucket: R2Bucket,
  bytes: Uint8Array,
  meta: StoredImageMeta,
  ttlSeconds: number,
): Promise<string> {
  const id = randomToken('img_', 24)
  await bucket.put(id, bytes, storedImageOptions(meta, ttlSeconds))
  return id
}

/** Stores an image that arrives as a stream of known length, without holding it whole. */
export async function putImageStream(
  bucket: R2Bucket,
  body: ReadableStream<Uint8Array>,
  byteLength: number,
  meta: StoredImageMeta,
  ttlSeconds: number,
): Promise<string> {
  const id = randomToken('img_', 24)
  const { readable, writable } = new FixedLengthStream(byteLength)
  await Promise.all([
    bucket.put(id, readable, storedImageOptions(meta, ttlSeconds)),
    body.pipeTo(writable),
  ])
  return id
}

/** What R2 keeps with an image: its type, its size, and when it expires. */
export function storedImageOptions(meta: StoredImageMeta, ttlSeconds: number) {
  return {
    httpMetadata: { contentType: meta.mimeType },
    customMetadata: {
      width: String(meta.width),
      height: String(meta.height),
      expires_at: String(Date.now() + Math.max(0, ttlSeconds) * 1000),
    },
  }
}

export async function getImage(
  bucket: R2Bucket,
  id: string,
): Promise<{ body: ReadableStream; meta: StoredImageMeta; expiresAt: number } | null> {
  const object = await bucket.get(id)
  if (!object) return null
  const custom = object.customMetadata ?? {}
  if (!(Number(custom.expires_at) > Date.now())) {
    await object.body.cancel()
    return null
  }
  return {
    body: object.body,
    expiresAt: Number(custom.expires_at),
    meta: {
      mimeType: (object.httpMetadata?.contentType ?? 'image/png') as ImageMimeType,
      width: Number(custom.width),
      height: Number(custom.height),
    },
  }
}
