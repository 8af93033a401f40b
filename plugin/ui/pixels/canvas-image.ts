/** Decodes image bytes as they are: no colour-space conversion, no premultiplied alpha. */
export function decodeImage(bytes: Uint8Array): Promise<ImageBitmap> {
  return createImageBitmap(new Blob([bytes as BlobPart]), {
    colorSpaceConversion: 'none',
    premultiplyAlpha: 'none',
  })
}

export function newCanvas(width: number, height: number) {
  const canvas = new OffscreenCanvas(
    Math.max(1, Math.round(width)),
    Math.max(1, Math.round(height)),
  )
  const context = canvas.getContext('2d')!
  context.imageSmoothingQuality = 'high'
  return { canvas, context }
}

/** PNG is lossless, so the pixels placed are the pixels composed. */
export async function encodePng(canvas: OffscreenCanvas): Promise<Uint8Array> {
  return new Uint8Array(await (await canvas.convertToBlob({ type: 'image/png' })).arrayBuffer())
}

/** What the model sees as context: a photo-like region is a fifth of its PNG size as JPEG. */
export async function encodeJpeg(canvas: OffscreenCanvas): Promise<Uint8Array> {
  const blob = await canvas.convertToBlob({ type: 'image/jpeg', quality: 0.92 })
  return new Uint8Array(await blob.arrayBuffer())
}
