import { decodeBase64, imageInfo, MAX_REFERENCE_BYTES, MAX_REFERENCES } from '../../../shared'
import { ApiError } from '../http/api-error'
import type { ReferenceImage } from '../providers/image-provider'

const MEGABYTE = 1024 * 1024

/** Checks each reference is a real PNG, JPEG or WebP within the limits, by its bytes, not its label. */
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
    if (bytes.length > MAX_REFERENCE_BYTES) {
      throw new ApiError(
        'invalid_reference',
        `Reference ${index + 1} is too large (${(bytes.length / MEGABYTE).toFixed(1)} MB): each must be under ${MAX_REFERENCE_BYTES / MEGABYTE} MB.`,
      )
    }
    const info = imageInfo(bytes)
    if (!info) {
      throw new ApiError(
        'invalid_reference',
        `Reference ${index + 1} is not a PNG, JPEG or WebP image.`,
      )
    }
    return {
      bytes,
      mimeType: info.mimeType,
      name: name || `reference-${index + 1}.${info.mimeType.split('/')[1]}`,
    }
  })
}

export function referencesFromDataUrls(dataUrls: string[]): ReferenceImage[] {
  return checkReferences(
    dataUrls.map((dataUrl, index) => {
      const b64 = dataUrl.slice(dataUrl.indexOf(',') + 1).replace(/\s+/g, '')
      try {
        return { bytes: decodeBase64(b64), name: `reference-${index + 1}` }
      } catch {
        throw new ApiError('invalid_reference', `Reference ${index + 1} is not valid base64.`)
      }
    }),
  )
}

/** Splits multipart form data into text fields and reference files. */
export async function splitForm(
  form: FormData,
  fileFields: readonly string[],
): Promise<{ fields: Record<string, string>; files: { bytes: Uint8Array; name: string }[] }> {
  const fields: Record<string, string> = {}
  const files: { bytes: Uint8Array; name: string }[] = []
  for (const [name, value] of form.entries()) {
    if (fileFields.includes(name)) {
      if (typeof value === 'string') {
        throw new ApiError('invalid_reference', `"${name}" must be an image file, not text.`)
      }
      files.push({ bytes: new Uint8Array(await value.arrayBuffer()), name: value.name })
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
