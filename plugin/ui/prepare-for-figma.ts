/** figma.createImage takes PNG, JPEG or GIF, at most 4096 px a side. */
export const FIGMA_MAX_IMAGE_SIDE = 4096

export function needsConversion(mimeType: string, width: number, height: number): boolean {
  return (
    !(mimeType === 'image/png' || mimeType === 'image/jpeg') ||
    Math.max(width, height) > FIGMA_MAX_IMAGE_SIDE
  )
}

/** Re-encodes an image Figma cannot take (WebP, or over 4096 px) as a PNG within the limit. */
export async function prepareForFigma(
  bytes: Uint8Array,
  mimeType: string,
  width: number,
  height: number,
): Promise<Uint8Array> {
  if (!needsConversion(mimeType, width, height)) return bytes
  const scale = Math.min(1, FIGMA_MAX_IMAGE_SIDE / Math.max(width, height))
  const bitmap = await createImageBitmap(new Blob([bytes as BlobPart], { type: mimeType }))
  const canvas = new OffscreenCanvas(Math.round(width * scale), Math.round(height * scale))
  canvas.getContext('2d')!.drawImage(bitmap, 0, 0, canvas.width, canvas.height)
  return new Uint8Array(await (await canvas.convertToBlob({ type: 'image/png' })).arrayBuffer())
}
