import { imageInfo } from '../../shared/image-info'
import { MAX_REFERENCE_BYTES } from '../../shared/limits'
import type { ReferenceImageBytes } from '../types'
import { exportedSize, referenceExportScale } from '../utilities/export-scale'

/** A layer that is nothing but one image: its original bytes are the best reference there is. */
async function originalImage(node: SceneNode): Promise<ReferenceImageBytes | null> {
  if (!('fills' in node) || node.fills === figma.mixed) return null
  if ('children' in node && node.children.length > 0) return null
  const visible = node.fills.filter((paint) => paint.visible !== false)
  const [paint] = visible
  if (visible.length !== 1 || paint.type !== 'IMAGE' || !paint.imageHash) return null
  const image = figma.getImageByHash(paint.imageHash)
  if (!image) return null
  const bytes = await image.getBytesAsync()
  const info = imageInfo(bytes)
  if (!info || bytes.length > MAX_REFERENCE_BYTES) return null
  return { nodeId: node.id, name: node.name, bytes, ...info }
}

/** Exports a layer as a reference: original image bytes when it is a plain image, else a capped JPEG. */
export async function exportReference(node: SceneNode): Promise<ReferenceImageBytes> {
  const original = await originalImage(node)
  if (original) return original
  const scale = referenceExportScale(node.width, node.height)
  const bytes = await node.exportAsync({
    format: 'JPG',
    constraint: { type: 'SCALE', value: scale },
  })
  return {
    nodeId: node.id,
    name: node.name,
    bytes,
    mimeType: 'image/jpeg',
    ...exportedSize(node.width, node.height, scale),
  }
}
