import { type GeneratedImage, imageInfo } from '../../shared'
import type { FinishedImage, Provenance } from '../types'
import { thumbnailOf } from './thumbnail'

/**
 * A job's image that never reached the canvas, made ready for History: downloaded, finished as
 * its request would have placed it, measured and given a thumbnail. Null when it cannot be had,
 * so one image that fails does not keep the others out.
 */
export async function finishedImage(
  requestId: string,
  image: GeneratedImage,
  steps: {
    download: (url: string) => Promise<Uint8Array>
    finish: (
      bytes: Uint8Array,
      mimeType: string,
      width: number,
      height: number,
    ) => Promise<Uint8Array>
    provenance: Provenance
    note: string
  },
): Promise<FinishedImage | null> {
  try {
    const raw = await steps.download(image.url)
    const bytes = await steps.finish(raw, image.mime_type, image.width, image.height)
    const size = imageInfo(bytes) ?? image
    return {
      id: `${requestId}:${image.index}`,
      index: image.index,
      bytes,
      width: size.width,
      height: size.height,
      thumbnail: await thumbnailOf(bytes),
      provenance: steps.provenance,
      note: steps.note,
    }
  } catch {
    return null
  }
}
