import {
  decodeBase64,
  describeImageProblem,
  imageInfo,
  imageProblem,
  MAX_MASK_BYTES,
  MAX_REFERENCE_BYTES,
  MAX_REFERENCES,
  pngHasAlpha,
} from '../../../shared'
import { ApiError } from '../http/api-error'
import type { ImageInputs, ReferenceImage } from '../providers/image-provider'

const MEGABYTE = 1024 * 1024

/** How a client's file is named back to it: printable, and short. */
function shownName(name: string): string {
  const clean = name.replace(/[^\p{L}\p{N} ._()-]/gu, '').slice(0, 60)
  return clean ? ` (${clean})` : ''
}

/**
 * Checks each reference is a whole PNG, JPEG or WebP within the limits, by its structure, not its
 * label or first bytes. Upstreams get them as reference-N.ext: a client's file names stay here.
 */
export function checkReferences(
  references: { bytes: Uint8Array; name: string }[],
): ReferenceImage[] {
  if (references.length === 0) {
    throw new ApiError('invalid_reference', 'Add at least one reference image.')
  }
  if (references.length > MAX_REFERENCES) {
    throw new ApiError(
      'invalid_reference',
      `Use at most ${MAX_REFERENCES} reference images (you sent ${references.length}).`,
    )
  }
  return references.map(({ bytes, name }, index) => {
    const what = `Reference ${index + 1}${shownName(name)}`
    if (bytes.length > MAX_REFERENCE_BYTES) {
      throw new ApiError(
        'invalid_reference',
        `${what} is too large (${(bytes.length / MEGABYTE).toFixed(1)} MB): each must be under ${MAX_REFERENCE_BYTES / MEGABYTE} MB.`,
      )
    }
    const problem = imageProblem(bytes)
    if (problem) throw new ApiError('invalid_reference', describeImageProblem(problem, what))
    const { mimeType } = imageInfo(bytes)!
    return { bytes, mimeType, name: `reference-${index + 1}.${mimeType.split('/')[1]}` }
  })
}

/**
 * Checks a mask as OpenAI defines it: a PNG under 4 MB with transparency, whose transparent pixels
 * mark the area of the first reference to change, at exactly that reference's pixel size.
 */
export function checkMask(
  mask: { bytes: Uint8Array } | null,
  references: ReferenceImage[],
): ReferenceImage | null {
  if (!mask) return null
  const [first] = references
  if (!first) {
    throw new ApiError(
      'invalid_mask',
      'A mask needs the image it applies to: send that image as the first reference.',
    )
  }
  if (mask.bytes.length > MAX_MASK_BYTES) {
    throw new ApiError(
      'invalid_mask',
      `The mask is too large (${(mask.bytes.length / MEGABYTE).toFixed(1)} MB): it must be under ${MAX_MASK_BYTES / MEGABYTE} MB. A mask needs only black and transparent pixels, which compress well as PNG.`,
    )
  }
  const info = imageInfo(mask.bytes)
  if (info?.mimeType !== 'image/png') {
    throw new ApiError('invalid_mask', 'The mask must be a PNG image with transparency.')
  }
  const problem = imageProblem(mask.bytes)
  if (problem) throw new ApiError('invalid_mask', describeImageProblem(problem, 'The mask'))
  if (!pngHasAlpha(mask.bytes)) {
    throw new ApiError(
      'invalid_mask',
      'The mask has no transparency: make the area to change transparent and keep the rest opaque.',
    )
  }
  const size = imageInfo(first.bytes)!
  if (info.width !== size.width || info.height !== size.height) {
    throw new ApiError(
      'invalid_mask',
      `The mask is ${info.width}×${info.height} but the first reference is ${size.width}×${size.height}: they must be the same size.`,
    )
  }
  return { bytes: mask.bytes, mimeType: 'image/png', name: 'mask.png' }
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

export function referencesFromDataUrls(dataUrls: string[]): ReferenceImage[] {
  return checkReferences(
    dataUrls.map((dataUrl, index) => ({
      bytes: bytesOfDataUrl(dataUrl, `Reference ${index + 1}`),
      name: `reference-${index + 1}`,
    })),
  )
}

/** An edit's inputs sent inside JSON: references and an optional mask, as data: URLs. */
export function inputsFromDataUrls(references: string[], mask: string | undefined): ImageInputs {
  const checked = referencesFromDataUrls(references)
  return {
    references: checked,
    mask: checkMask(mask ? { bytes: bytesOfDataUrl(mask, 'The mask') } : null, checked),
  }
}

/** An edit's inputs sent as multipart file parts. */
export function inputsFromFiles(
  files: { bytes: Uint8Array; name: string; field: string }[],
  maskField: string,
): ImageInputs {
  const masks = files.filter((file) => file.field === maskField)
  const images = files.filter((file) => file.field !== maskField)
  if (masks.length > 1) throw new ApiError('invalid_mask', 'Send one mask, not several.')
  if (masks.length > 0 && images.length === 0)
    return { references: [], mask: checkMask(masks[0], []) }
  const references = checkReferences(images)
  return { references, mask: checkMask(masks[0] ?? null, references) }
}

/** Splits multipart form data into text fields and reference files. */
export async function splitForm(
  form: FormData,
  fileFields: readonly string[],
): Promise<{
  fields: Record<string, string>
  files: { bytes: Uint8Array; name: string; field: string }[]
}> {
  const fields: Record<string, string> = {}
  const files: { bytes: Uint8Array; name: string; field: string }[] = []
  for (const [name, value] of form.entries()) {
    if (fileFields.includes(name)) {
      if (typeof value === 'string') {
        throw new ApiError('invalid_reference', `"${name}" must be an image file, not text.`)
      }
      files.push({
        bytes: new Uint8Array(await value.arrayBuffer()),
        name: value.name,
        field: name,
      })
    } else if (typeof value === 'string') {
      fields[name] = value
    } else {
      throw new ApiError(
        'invalid_request',
        `Unexpected file in field "${name}": send images as "${fileFields[0]}".`,
      )
    }
  }
  return { fields, files }
}
