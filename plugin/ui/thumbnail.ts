import { decodeImage, newCanvas } from './pixels/canvas-image'

const THUMBNAIL_WIDTH = 96

/** A small JPEG for History, made in the UI for images that were never placed. */
export async function thumbnailOf(bytes: Uint8Array): Promise<Uint8Array | null> {
  try {
    const image = await decodeImage(bytes)
    const { canvas, context } = newCanvas(
      THUMBNAIL_WIDTH,
      (THUMBNAIL_WIDTH * image.height) / image.width,
    )
    context.drawImage(image, 0, 0, canvas.width, canvas.height)
    const blob = await canvas.convertToBlob({ type: 'image/jpeg', quality: 0.8 })
    return new Uint8Array(await blob.arrayBuffer())
  } catch {
    return null
  }
}
