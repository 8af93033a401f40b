import type { Context } from 'hono'
import { EditFormFieldsSchema, EditJsonRequestSchema, type GenerateRequest } from '../../../shared'
import type { AppEnv } from '../env'
import { ApiError } from '../http/api-error'
import { bodyKind, parseBody, readJsonBody } from '../http/read-body'
import type { ImageInputs } from '../providers/image-provider'
import { readMultipartEdit } from './read-multipart-edit'
import { inputsFromDataUrls } from './read-references'

/**
 * An edit arrives as multipart file parts or as JSON with data: URLs; both end up the same: the
 * request, its references, and an optional mask over the first reference.
 */
export async function readEditRequest(
  c: Context<AppEnv>,
): Promise<{ request: GenerateRequest; inputs: ImageInputs }> {
  const kind = bodyKind(c)
  if (kind === 'form') {
    const { fields, inputs } = await readMultipartEdit(
      c.req.raw,
      c.env.IMAGES,
      c.get('requestId'),
      {
        fieldsSchema: EditFormFieldsSchema,
        imageFields: ['references', 'references[]', 'image', 'image[]'],
        maskField: 'mask',
        filesHint: 'Send the references as multipart/form-data file parts.',
      },
    )
    return { request: fields, inputs }
  }
  if (kind === 'json') {
    const { references, mask, ...request } = parseBody(EditJsonRequestSchema, await readJsonBody(c))
    return { request, inputs: await inputsFromDataUrls(references, mask) }
  }
  throw new ApiError(
    'unsupported_media_type',
    'Send an edit as multipart/form-data with the images as file parts, or as JSON with data: URLs.',
  )
}
