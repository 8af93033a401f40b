import { imageInfo } from '../../shared/image-info'
import type { LayerPixels } from '../types'
import { showsImageAsIs, soleImagePaint } from '../utilities/image-as-is'
import { rectOf } from './canvas-bounds'
import { lookOf } from './layer-look'

/** figma.createImage takes at most 4096 px a side, and results go back through it. */
const MAX_SIDE = 4096
const MASK_PAINT: SolidPaint = { type: 'SOLID', color: { r: 0, g: 0, b: 0 } }

/**
 * A layer's own pixels at full resolution, to edit or expand: the image's original bytes when the
 * layer shows it untouched, else the layer exported as PNG at the image's resolution (or 1x).
 */
export async function exportPixels(node: SceneNode): Promise<LayerPixels> {
  const look = lookOf(node)
  const paint = soleImagePaint(look)
  const image = paint ? figma.getImageByHash(paint.imageHash!) : null
  const size = image ? await image.getSizeAsync() : null
  if (paint && image && size && showsImageAsIs(look, paint, size)) {
    const bytes = await image.getBytesAsync()
    const info = imageInfo(bytes)
    if (info && info.mimeType !== 'image/webp' && Math.max(info.width, info.height) <= MAX_SIDE)
      return { bytes, width: info.width, height: info.height }
  }
  const natural = size ? Math.max(size.width / node.width, size.height / node.height) : 1
  const scale = Math.min(MAX_SIDE / Math.max(node.width, node.height), Math.max(1, natural))
  const bytes = await node.exportAsync({
    format: 'PNG',
    constraint: { type: 'SCALE', value: scale },
  })
  const info = imageInfo(bytes)!
  return { bytes, width: info.width, height: info.height }
}

function paintForMask(copy: SceneNode) {
  if ('fills' in copy && Array.isArray(copy.fills) && copy.fills.length > 0)
    copy.fills = [MASK_PAINT]
  if ('strokes' in copy && copy.strokes.length > 0) copy.strokes = [MASK_PAINT]
  if ('effects' in copy) copy.effects = []
  if ('opacity' in copy) copy.opacity = 1
  copy.visible = true
}

/**
 * The area under the shapes, in the layer's pixels: opaque where a shape covers the layer,
 * transparent elsewhere. Copies of the shapes, painted solid, go into a temporary frame of the
 * layer's bounds over a transparent background, which is exported at the layer's pixel size and
 * removed; the shapes' real geometry (rotation, ellipses, pencil strokes) is what Figma renders.
 */
export async function exportShapeMask(
  target: SceneNode,
  shapes: SceneNode[],
  size: { width: number; height: number },
): Promise<Uint8Array> {
  const bounds = rectOf(target)
  const frame = figma.createFrame()
  try {
    frame.fills = []
    frame.clipsContent = true
    frame.resize(target.width, target.height)
    frame.x = bounds.x
    frame.y = bounds.y
    for (const shape of shapes) {
      const copy = shape.clone()
      frame.appendChild(copy)
      const [[, , originX], [, , originY]] = shape.absoluteTransform
      copy.x = originX - bounds.x
      copy.y = originY - bounds.y
      paintForMask(copy)
    }
    return await frame.exportAsync({
      format: 'PNG',
      constraint: { type: 'WIDTH', value: size.width },
    })
  } finally {
    frame.remove()
  }
}

/**
 * What an area edit starts from: the image's pixels, taken with the shapes hidden (they may sit
 * inside a frame being edited), and the mask of the area under them.
 */
export async function exportEditArea(
  target: SceneNode,
  shapes: SceneNode[],
): Promise<{ original: LayerPixels; mask: Uint8Array }> {
  const visibility = shapes.map((shape) => shape.visible)
  for (const shape of shapes) shape.visible = false
  try {
    const original = await exportPixels(target)
    return { original, mask: await exportShapeMask(target, shapes, original) }
  } finally {
    shapes.forEach((shape, index) => {
      if (!shape.removed) shape.visible = visibility[index]
    })
  }
}
