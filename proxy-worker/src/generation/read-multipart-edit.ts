import {
  getMultipartBoundary,
  MaxFileSizeExceededError,
  MaxPartsExceededError,
  MaxTotalSizeExceededError,
  MultipartParseError,
  type MultipartPart,
  parseMultipartStream,
} from '@remix-run/multipart-parser'
import type * as z from 'zod/mini'
import {
  MAX_EDIT_BODY_BYTES,
  MAX_MASK_BYTES,
  MAX_REFERENCE_BYTES,
  MAX_REFERENCES,
} from '../../../shared'
import { ApiError } from '../http/api-error'
import { discardRest } from '../http/limit-body'
import { parseBody } from '../http/read-body'
import { ReferenceSpool } from '../images/reference-spool'
import type { ImageInputs, ReferenceImage } from '../providers/image-provider'
import {
  checkMask,
  checkMaskFits,
  checkReference,
  checkReferenceCount,
  MEGABYTE,
  referenceName,
  tooManyReferences,
} from './read-references'

/** The references, one mask, and room for every field an edit has, with some to spare. */
const MAX_PARTS = MAX_REFERENCES + 1 + 32

/**
 * A file part's bytes in one piece, its chunks let go: the part holds the file as the pieces the
 * body arrived in, and keeping both would hold the reference twice while it is stored. Emptied in
 * place, because the parser keeps the same array until the next part's headers.
 */
function takeBytes(part: MultipartPart): Uint8Array {
  const bytes = part.bytes
  part.content.length = 0
  return bytes
}

/** The form's own problems, in the client's terms; anything else (storage failing) goes on as is. */
function formError(error: unknown, filesHint: string): unknown {
  if (error instanceof MaxFileSizeExceededError) {
    return new ApiError(
      'invalid_reference',
      `A part of the form is larger than ${MAX_REFERENCE_BYTES / MEGABYTE} MB: each reference must be under ${MAX_REFERENCE_BYTES / MEGABYTE} MB, and the mask under ${MAX_MASK_BYTES / MEGABYTE} MB.`,
    )
  }
  if (error instanceof MaxPartsExceededError) {
    return new ApiError(
      'invalid_request',
      `The form has more than ${MAX_PARTS} parts: send at most ${MAX_REFERENCES} references, one mask and the request's fields.`,
    )
  }
  if (error instanceof MaxTotalSizeExceededError) {
    return new ApiError(
      'payload_too_large',
      `The request is larger than ${MAX_EDIT_BODY_BYTES / MEGABYTE} MB. Send fewer or smaller reference images.`,
    )
  }
  if (error instanceof MultipartParseError) {
    return new ApiError('invalid_request', `The form data could not be read. ${filesHint}`)
  }
  return error
}

/**
 * Text read from a part: its headers, or a field's value. The parser decodes it strictly, and
 * bytes that are not UTF-8 there are the sender's to fix, not a fault of the service.
 */
function asText<T>(read: () => T): T {
  try {
    return read()
  } catch (error) {
    if (!(error instanceof TypeError)) throw error
    throw new ApiError(
      'invalid_request',
      'A field or part header of the form is not UTF-8 text. Send the fields as UTF-8 text.',
    )
  }
}

/**
 * Reads an edit sent as multipart/form-data one part at a time: each image is checked as it
 * completes and kept in R2 until the upstream call, so the request holds one image, not all of
 * them. Anything wrong (a part, the count, the mask's size, a field) is refused before a credit
 * moves, and what was kept is deleted.
 */
export async function readMultipartEdit<Schema extends z.ZodMiniType>(
  request: Request,
  bucket: R2Bucket,
  requestId: string,
  form: {
    fieldsSchema: Schema
    imageFields: readonly string[]
    maskField: string
    filesHint: string
  },
): Promise<{ fields: z.output<Schema>; inputs: ImageInputs }> {
  const spool = new ReferenceSpool(bucket, requestId)
  const fields: Record<string, string> = {}
  const references: ReferenceImage[] = []
  let mask: ReferenceImage | null = null
  // References past the limit are counted, not kept, so the refusal can say how many came.
  let extra = 0
  try {
    const boundary = getMultipartBoundary(request.headers.get('Content-Type') ?? '')
    if (!boundary || !request.body) throw new MultipartParseError('no boundary or no body')
    const parts = parseMultipartStream(request.body, {
      boundary,
      maxFileSize: MAX_REFERENCE_BYTES,
      maxParts: MAX_PARTS,
      maxTotalSize: MAX_EDIT_BODY_BYTES,
    })
    for await (const part of parts) {
      const name = asText(() => part.name ?? '')
      const isImageField = form.imageFields.includes(name)
      if (!isImageField && name !== form.maskField) {
        if (part.isFile) {
          throw new ApiError(
            'invalid_request',
            `Unexpected file in field "${name}": send images as "${form.imageFields[0]}".`,
          )
        }
        fields[name] = asText(() => part.text)
        continue
      }
      if (!part.isFile) {
        throw new ApiError('invalid_reference', `"${name}" must be an image file, not text.`)
      }
      if (name === form.maskField) {
        if (mask) throw new ApiError('invalid_mask', 'Send one mask, not several.')
        mask = await spool.keep(checkMask(takeBytes(part)), 'mask.png')
        continue
      }
      const index = references.length
      if (index === MAX_REFERENCES) {
        extra++
        continue
      }
      const image = checkReference(takeBytes(part), index, part.filename ?? '')
      references.push(await spool.keep(image, referenceName(index, image.mimeType)))
    }
    if (extra > 0) throw tooManyReferences(MAX_REFERENCES + extra)
    if (!(mask && references.length === 0)) checkReferenceCount(references.length)
    checkMaskFits(mask, references[0])
    return {
      fields: parseBody(form.fieldsSchema, fields),
      inputs: { references, mask, release: () => spool.release() },
    }
  } catch (error) {
    await Promise.all([
      spool.release().catch(() => {}),
      discardRest(request.body, MAX_EDIT_BODY_BYTES).catch(() => {}),
    ])
    throw formError(error, form.filesHint)
  }
}
