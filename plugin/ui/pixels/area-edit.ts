import type { CatalogModel, PixelSize } from '../../../shared'
import type { LayerPixels } from '../../types'
import { alphaBounds, editRegion } from '../../utilities/edit-region'
import type { Rect } from '../../utilities/layout-variations'
import { requestSizeForShape } from '../../utilities/request-size'
import { ApiFailure } from '../api/api-failure'
import { decodeImage, encodeJpeg, encodePng, newCanvas } from './canvas-image'

/** The soft edge where the new pixels meet the original's, inside the area, in the image's pixels. */
const FEATHER_PX = 4

export interface AreaEdit {
  /**
   * The region of the original sent to the model, scaled to the request size, as JPEG: only its
   * masked part is replaced, and the placed result keeps the original's own pixels elsewhere.
   */
  reference: Uint8Array
  /** The request's mask: transparent where the shapes are (OpenAI's "area to change"). */
  mask: Uint8Array
  size: PixelSize
  region: Rect
}

/** The shapes' mask drawn at the original's size, so every later step works in its pixels. */
async function shapeLayer(shapeMask: Uint8Array, width: number, height: number) {
  const shapes = await decodeImage(shapeMask)
  const { canvas, context } = newCanvas(width, height)
  context.drawImage(shapes, 0, 0, width, height)
  return { canvas, context }
}

/**
 * What goes to the model for an area edit: only the region around the shapes with context around
 * it, at the model's resolution, and a mask of the same size whose transparent pixels are the area.
 */
export async function prepareAreaEdit(
  original: LayerPixels,
  shapeMask: Uint8Array,
  model: CatalogModel,
): Promise<AreaEdit> {
  const { width, height } = original
  const image = await decodeImage(original.bytes)
  const shapes = await shapeLayer(shapeMask, width, height)
  const alpha = shapes.context.getImageData(0, 0, width, height).data
  const area = alphaBounds((x, y) => alpha[(y * width + x) * 4 + 3], original)
  if (!area)
    throw new ApiFailure(
      'invalid_area',
      'The shapes you selected do not cover any part of the image: an area is what a shape’s fill or stroke covers. Give the shape a fill, or draw it over the image, then generate again.',
    )
  const region = editRegion(area, original)
  const size = requestSizeForShape(region.width, region.height, model)
  const crop = (source: CanvasImageSource, context: OffscreenCanvasRenderingContext2D) =>
    context.drawImage(
      source,
      region.x,
      region.y,
      region.width,
      region.height,
      0,
      0,
      size.width,
      size.height,
    )
  const reference = newCanvas(size.width, size.height)
  crop(image, reference.context)
  const mask = newCanvas(size.width, size.height)
  mask.context.fillStyle = '#000'
  mask.context.fillRect(0, 0, size.width, size.height)
  mask.context.globalCompositeOperation = 'destination-out'
  crop(shapes.canvas, mask.context)
  return {
    reference: await encodeJpeg(reference.canvas),
    mask: await encodePng(mask.canvas),
    size,
    region,
  }
}

/**
 * The edited image at the original's full size (or `scale` of it, for previews): the model's
 * pixels only under the shapes, softened a few pixels inward at their edge; every other pixel is
 * the original's, copied one to one.
 */
export async function compositeAreaEdit(
  original: LayerPixels,
  shapeMask: Uint8Array,
  region: Rect,
  generated: Uint8Array,
  scale = 1,
): Promise<Uint8Array> {
  const width = Math.round(original.width * scale)
  const height = Math.round(original.height * scale)
  const shapes = await shapeLayer(shapeMask, width, height)
  const softened = newCanvas(width, height)
  softened.context.filter = `blur(${Math.max(1, FEATHER_PX * scale)}px)`
  softened.context.drawImage(shapes.canvas, 0, 0)
  softened.context.filter = 'none'
  // Blurred, then cut back to the shapes: soft inside their edge, nothing outside it.
  softened.context.globalCompositeOperation = 'destination-in'
  softened.context.drawImage(shapes.canvas, 0, 0)
  const edited = newCanvas(width, height)
  edited.context.drawImage(
    await decodeImage(generated),
    region.x * scale,
    region.y * scale,
    region.width * scale,
    region.height * scale,
  )
  edited.context.globalCompositeOperation = 'destination-in'
  edited.context.drawImage(softened.canvas, 0, 0)
  const out = newCanvas(width, height)
  out.context.drawImage(await decodeImage(original.bytes), 0, 0, width, height)
  out.context.drawImage(edited.canvas, 0, 0)
  return encodePng(out.canvas)
}
