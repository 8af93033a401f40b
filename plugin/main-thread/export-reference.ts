import { imageInfo } from '../../shared/image-info'
import { MAX_REFERENCE_BYTES } from '../../shared/limits'
import type { ReferenceImageBytes } from '../types'
import { exportedSize, referenceExportScale } from '../utilities/export-scale'
import { type LayerLook, showsImageAsIs, soleImagePaint } from '../utilities/image-as-is'

function lookOf(node: SceneNode): LayerLook {
  const visible = <T extends { visible?: boolean }>(list: readonly T[] | symbol | undefined) =>
    Array.isArray(list) ? list.filter((item: T) => item.visible !== false) : []
  const strokes = 'strokes' in node ? visible(node.strokes) : []
  const strokeWeight = 'strokeWeight' in node ? node.strokeWeight : 0
  return {
    width: node.width,
    height: node.height,
    rotation: 'rotation' in node ? node.rotation : 0,
    opacity: 'opacity' in node ? node.opacity : 1,
    hasChildren: 'children' in node && node.children.length > 0,
    hasVisibleEffects: 'effects' in node && visible(node.effects).length > 0,
    hasVisibleStrokes: strokes.length > 0 && strokeWeight !== 0,
    visibleFills: 'fills' in node ? visible(node.fills) : [],
  }
}

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
