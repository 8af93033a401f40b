/** What decides whether a layer shows its image exactly as the image's own bytes are. */
export interface LayerLook {
  width: number
  height: number
  rotation: number
  opacity: number
  hasChildren: boolean
  hasVisibleEffects: boolean
  hasVisibleStrokes: boolean
  visibleFills: readonly Paint[]
}

const ASPECT_TOLERANCE = 0.005

function hasFilters(paint: ImagePaint): boolean {
  return Object.values(paint.filters ?? {}).some((value) => value !== 0 && value !== undefined)
}

/** The layer's one image paint, when the layer shows nothing but that image. */
export function soleImagePaint(look: LayerLook): ImagePaint | null {
  if (look.hasChildren || look.hasVisibleEffects || look.hasVisibleStrokes) return null
  if (look.rotation !== 0 || look.opacity !== 1) return null
  const [paint] = look.visibleFills
  if (look.visibleFills.length !== 1 || paint.type !== 'IMAGE' || !paint.imageHash) return null
  return paint
}

/**
 * Whether the canvas shows the whole image untouched, so its original bytes are a faithful
 * reference: not cropped (a FILL whose shape differs from the image's crops it), not tiled,
 * rotated, filtered or faded.
 */
export function showsImageAsIs(
  look: LayerLook,
  paint: ImagePaint,
  image: { width: number; height: number },
): boolean {
  if (hasFilters(paint) || (paint.rotation ?? 0) !== 0) return false
  if ((paint.opacity ?? 1) !== 1 || (paint.blendMode ?? 'NORMAL') !== 'NORMAL') return false
  if (paint.scaleMode === 'FIT') return true
  if (paint.scaleMode !== 'FILL') return false
  const layerAspect = look.width / look.height
  const imageAspect = image.width / image.height
  return Math.abs(layerAspect / imageAspect - 1) <= ASPECT_TOLERANCE
}
