import type { ImageMimeType } from '../../../shared'
import { randomToken } from '../accounts/token-hash'

export interface StoredImageMeta {
  mimeType: ImageMimeType
  width: number
  height: number
}

const imageKey = (id: string) => `img:${id}`

/** KV's shortest allowed expiration. */
const MIN_TTL_SECONDS = 60

export async function putImage(
  store: KVNamespace,
  bytes: Uint8Array,
  meta: StoredImageMeta,
  ttlSeconds: number,
): Promise<string> {
  const id = randomToken('img_', 24)
  await store.put(imageKey(id), bytes, {
    expirationTtl: Math.max(MIN_TTL_SECONDS, Math.round(ttlSeconds)),
    metadata: meta,
  })
  return id
}

export async function getImage(
  store: KVNamespace,
  id: string,
): Promise<{ bytes: ArrayBuffer; meta: StoredImageMeta } | null> {
  const { value, metadata } = await store.getWithMetadata<StoredImageMeta>(
    imageKey(id),
    'arrayBuffer',
  )
  return value && metadata ? { bytes: value, meta: metadata } : null
}
