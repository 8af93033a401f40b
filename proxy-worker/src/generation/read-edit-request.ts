import type { Context } from 'hono'
import { EditFormFieldsSchema, EditJsonRequestSchema, type GenerateRequest } from '../../../shared'
import type { AppEnv } from '../env'
import { ApiError } from '../http/api-error'
import { bodyKind, parseBody, readFormBody, readJsonBody } from '../http/read-body'
import type { ImageInputs } from '../providers/image-provider'
import { inputsFromDataUrls, inputsFromFiles, splitForm } from './read-references'

const REFERENCE_FIELDS = ['references', 'references[]', 'image', 'image[]']
const MASK_FIELD = 'mask'

/**
 * An edit arrives as multipart file parts or as JSON with data: URLs; both end up the same: the
 * request, its references, and an optional mask over the first reference.
 */
export async function readEditRequest(
  c: Context<AppEnv>,
): Promise<{ request: GenerateRequest; inputs: ImageInputs }> {
  const kind = bodyKind(c)
  if (kind === 'form') {
    const form = await readFormBody(c, 'Send the references as multipart/form-data file parts.')
    const { fields, files } = await splitForm(form, [...REFERENCE_FIELDS, MASK_FIELD])
    const request = parseBody(EditFormFieldsSchema, fields)
    return { request, inputs: inputsFromFiles(files, MASK_FIELD) }
  }
  if (kind === 'json') {
    const { references, mask, ...request } = parseBody(EditJsonRequestSchema, await readJsonBody(c))
    return { request, inputs: inputsFromDataUrls(references, mask) }
  }
  throw new ApiError(
    'unsupported_media_type',
    'Send an edit as multipart/form-data with the images as file parts, or as JSON with data: URLs.',
  )
}
