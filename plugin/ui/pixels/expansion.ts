import type { CatalogModel, PixelSize } from '../../../shared'
import type { LayerPixels } from '../../types'
import type { ExpandedCanvas } from '../../utilities/expand-canvas'
import { requestSizeForShape } from '../../utilities/request-size'
import { decodeImage, encodePng, newCanvas } from './canvas-image'

/** figma.createImage takes at most 4096 px a side. */
const MAX_SIDE = 4096

export interface Expansion {
  /** The larger canvas at the request size, the original in place and the new area empty. */
  reference: Uint8Array
  /** Opaque over the original, transparent over the new area: only the new area is painted. */
  mask: Uint8Array
  size: PixelSize
}

export async function prepareExpansion(
  original: LayerPixels,
  canvas: ExpandedCanvas,
  model: CatalogModel,
): Promise<Expansion> {
  const size = requestSizeForShape(canvas.width, canvas.height, model)
  const sx = size.width / canvas.width
  const sy = size.height / canvas.height
  const at = [canvas.x * sx, canvas.y * sy, original.width * sx, original.height * sy] as const
  const reference = newCanvas(size.width, size.height)
  reference.context.drawImage(await decodeImage(original.bytes), ...at)
  const mask = newCanvas(size.width, size.height)
  mask.context.fillStyle = '#000'
  mask.context.fillRect(...at)
  return { reference: await encodePng(reference.canvas), mask: await encodePng(mask.canvas), size }
}

/** The scale an expanded image is placed at: whole, unless Figma's 4096 px limit needs less. */
export function expansionScale(canvas: ExpandedCanvas): number {
  return Math.min(1, MAX_SIDE / Math.max(canvas.width, canvas.height))
}

/**
 * The expanded image: the model's pixels around, and the original's own pixels in place, one to
 * one (when the canvas fits Figma's limit; scaled with everything else when it does not).
 */
export async function compositeExpansion(
  original: LayerPixels,
  canvas: ExpandedCanvas,
  generated: Uint8Array,
  scale = expansionScale(canvas),
): Promise<Uint8Array> {
  const out = newCanvas(canvas.width * scale, canvas.height * scale)
  out.context.drawImage(await decodeImage(generated), 0, 0, out.canvas.width, out.canvas.height)
  out.context.clearRect(
    canvas.x * scale,
    canvas.y * scale,
    original.width * scale,
    original.height * scale,
  )
  out.context.drawImage(
    await decodeImage(original.bytes),
    canvas.x * scale,
    canvas.y * scale,
    original.width * scale,
    original.height * scale,
  )
  return encodePng(out.canvas)
}
