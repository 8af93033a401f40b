import {
  decodeBase64,
  describeImageProblem,
  type ImageInfo,
  type ImageMimeType,
  imageInfo,
  imageProblem,
  MAX_MASK_BYTES,
  MAX_REFERENCE_BYTES,
  MAX_REFERENCES,
  pngHasAlpha,
} from '../../../shared'
import { ApiError } from '../http/api-error'
import { type CheckedImage, heldReference } from '../images/reference-spool'
import type { ImageInputs } from '../providers/image-provider'

export const MEGABYTE = 1024 * 1024

/** How a client's file is named back to it: printable, and short. */
function shownName(name: string): string {
  const clean = name.replace(/[^\p{L}\p{N} ._()-]/gu, '').slice(0, 60)
  return clean ? ` (${clean})` : ''
}

/** Upstreams get references as reference-N.ext: a client's file names stay here. */
export function referenceName(index: number, mimeType: ImageMimeType): string {
  return `reference-${index + 1}.${mimeType.split('/')[1]}`
}

export function tooManyReferences(count: number): ApiError {
  return new ApiError(
    'invalid_reference',
    `Use at most ${MAX_REFERENCES} reference images (you sent ${count}).`,
  )
}

export function checkReferenceCount(count: number): void {
  if (count === 0) throw new ApiError('invalid_reference', 'Add at least one reference image.')
  if (count > MAX_REFERENCES) throw tooManyReferences(count)
}

/**
 * Checks one reference is a whole PNG, JPEG or WebP within the limits, by its structure, not its
 * label or first bytes.
 */
export function checkReference(bytes: Uint8Array, index: number, clientName: string): CheckedImage {
  const what = `Reference ${index + 1}${shownName(clientName)}`
  if (bytes.length > MAX_REFERENCE_BYTES) {
    throw new ApiError(
      'invalid_reference',
      `${what} is too large (${(bytes.length / MEGABYTE).toFixed(1)} MB): each must be under ${MAX_REFERENCE_BYTES / MEGABYTE} MB.`,
    )
  }
  const problem = imageProblem(bytes)
  if (problem) throw new ApiError('invalid_reference', describeImageProblem(problem, what))
  return { bytes, ...imageInfo(bytes)! }
}

/**
 * Checks a mask as OpenAI defines it: a PNG under 4 MB with transparency, whose transparent pixels
 * mark the area of the first reference to change (see checkMaskFits).
 */
export function checkMask(bytes: Uint8Array): CheckedImage {
  if (bytes.length > MAX_MASK_BYTES) {
    throw new ApiError(
      'invalid_mask',
      `The mask is too large (${(bytes.length / MEGABYTE).toFixed(1)} MB): it must be under ${MAX_MASK_BYTES / MEGABYTE} MB. A mask needs only black and transparent pixels, which compress well as PNG.`,
    )
  }
  const info = imageInfo(bytes)
  if (info?.mimeType !== 'image/png') {
    throw new ApiError('invalid_mask', 'The mask must be a PNG image with transparency.')
  }
  const problem = imageProblem(bytes)
  if (problem) throw new ApiError('invalid_mask', describeImageProblem(problem, 'The mask'))
  if (!pngHasAlpha(bytes)) {
    throw new ApiError(
      'invalid_mask',
      'The mask has no transparency: make the area to change transparent and keep the rest opaque.',
    )
  }
  return { bytes, ...info }
}

/** A mask applies to the first reference, at exactly that reference's pixel size. */
export function checkMaskFits(mask: ImageInfo | null, first: ImageInfo | undefined): void {
  if (!mask) return
  if (!first) {
    throw new ApiError(
      'invalid_mask',
      'A mask needs the image it applies to: send that image as the first reference.',
    )
  }
  if (mask.width !== first.width || mask.height !== first.height) {
    throw new ApiError(
      'invalid_mask',
      `The mask is ${mask.width}×${mask.height} but the first reference is ${first.width}×${first.height}: they must be the same size.`,
    )
  }
}

function bytesOfDataUrl(dataUrl: string, what: string): Uint8Array {
  const b64 = dataUrl.slice(dataUrl.indexOf(',') + 1).replace(/\s+/g, '')
  try {
    return decodeBase64(b64)
  } catch {
    throw new ApiError(
      what === 'The mask' ? 'invalid_mask' : 'invalid_reference',
      `${what} is not valid base64.`,
    )
  }
}

/**
 * An edit's inputs sent inside JSON: references and an optional mask, as data: URLs. JSON bodies
 * are capped small enough to hold, so these stay in memory.
 */
export async function inputsFromDataUrls(
  dataUrls: string[],
  maskUrl: string | undefined,
): Promise<ImageInputs> {
  checkReferenceCount(dataUrls.length)
  const checked = dataUrls.map((dataUrl, index) =>
    checkReference(
      bytesOfDataUrl(dataUrl, `Reference ${index + 1}`),
      index,
      `reference-${index + 1}`,
    ),
  )
  const mask = maskUrl ? checkMask(bytesOfDataUrl(maskUrl, 'The mask')) : null
  checkMaskFits(mask, checked[0])
  return {
    references: await Promise.all(
      checked.map((image, index) => heldReference(image, referenceName(index, image.mimeType))),
    ),
    mask: mask && (await heldReference(mask, 'mask.png')),
    release: async () => {},
  }
}
