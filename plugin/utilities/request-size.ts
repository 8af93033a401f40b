import {
  type CatalogModel,
  closestFixedSize,
  FLEXIBLE_SIZE_LIMITS,
  flexibleSizeForShape,
  type PixelSize,
} from '../../shared'

/**
 * The pixel size to ask a model for to get this shape: gpt-image-2 takes the shape itself (short
 * side 1024, sides in steps of 16, within 1:3..3:1); the others, the nearest of their fixed sizes.
 */
export function requestSizeForShape(width: number, height: number, model: CatalogModel): PixelSize {
  return model.sizing === 'flexible'
    ? flexibleSizeForShape(width, height)
    : closestFixedSize(width, height)
}

/** The widest and tallest shape a request can have. */
export const MAX_SHAPE_RATIO = FLEXIBLE_SIZE_LIMITS.maxRatio
