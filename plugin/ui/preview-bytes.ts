/** Partial previews become images in the designer's file: small ones keep the file from growing. */
export const PREVIEW_MAX_SIDE = 512

/** The scale that brings an image's longest side down to `maxSide`, never up. */
export function previewScale(width: number, height: number, maxSide = PREVIEW_MAX_SIDE): number {
  return Math.min(1, maxSide / Math.max(width, height, 1))
}

/** A partial preview as a PNG whose longest side is at most 512 px (transparency kept). */
export async function shrinkPreview(bytes: Uint8Array): Promise<Uint8Array> {
  const bitmap = await createImageBitmap(new Blob([bytes as BlobPart]))
  const scale = previewScale(bitmap.width, bitmap.height)
  if (scale === 1) return bytes
  const canvas = new OffscreenCanvas(
    Math.max(1, Math.round(bitmap.width * scale)),
    Math.max(1, Math.round(bitmap.height * scale)),
  )
  canvas.getContext('2d')!.drawImage(bitmap, 0, 0, canvas.width, canvas.height)
  return new Uint8Array(await (await canvas.convertToBlob({ type: 'image/png' })).arrayBuffer())
}
