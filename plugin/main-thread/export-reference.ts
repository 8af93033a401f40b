import { imageInfo } from '../../shared/image-info'
import { MAX_REFERENCE_BYTES } from '../../shared/limits'
import type { ReferenceImageBytes } from '../types'
import { exportedSize, referenceExportScale } from '../utilities/export-scale'
import { showsImageAsIs, soleImagePaint } from '../utilities/image-as-is'
import { lookOf } from './layer-look'

/** A layer that shows one image as it is: its original bytes are the best reference there is. */
async function originalImage(node: SceneNode): Promise<ReferenceImageBytes | null> {
  const look = lookOf(node)
  const paint = soleImagePaint(look)
  const image = paint ? figma.getImageByHash(paint.imageHash!) : null
  if (!paint || !image) return null
  if (!showsImageAsIs(look, paint, await image.getSizeAsync())) return null
  const bytes = await image.getBytesAsync()
  const info = imageInfo(bytes)
  if (!info || bytes.length > MAX_REFERENCE_BYTES) return null
  return { nodeId: node.id, name: node.name, bytes, ...info }
}

/**
 * Exports a layer as a reference: the original image bytes when it shows one image untouched, else
 * the layer as it looks on the canvas, as a JPEG whose longest side is capped.
 */
export async function exportReference(node: SceneNode): Promise<ReferenceImageBytes> {
  const original = await originalImage(node)
  if (original) return original
  // Shadows, strokes and rotation make the export larger than the layer itself.
  const bounds = ('absoluteRenderBounds' in node && node.absoluteRenderBounds) || node
  const scale = referenceExportScale(bounds.width, bounds.height)
  const bytes = await node.exportAsync({
    format: 'JPG',
    constraint: { type: 'SCALE', value: scale },
  })
  const info = imageInfo(bytes)
  return {
    nodeId: node.id,
    name: node.name,
    bytes,
    mimeType: 'image/jpeg',
    ...(info
      ? { width: info.width, height: info.height }
      : exportedSize(bounds.width, bounds.height, scale)),
  }
}
