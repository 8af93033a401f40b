import type { Context } from 'hono'
import { EditFormFieldsSchema, EditJsonRequestSchema, type GenerateRequest } from '../../../shared'
import type { AppEnv } from '../env'
import { ApiError } from '../http/api-error'
import { bodyKind, parseBody, readFormBody, readJsonBody } from '../http/read-body'
import type { ReferenceImage } from '../providers/image-provider'
import { checkReferences, referencesFromDataUrls, splitForm } from './read-references'

const REFERENCE_FIELDS = ['references', 'references[]', 'image', 'image[]']

/** An edit arrives as multipart file parts or as JSON with data: URLs; both end up the same. */
export async function readEditRequest(
  c: Context<AppEnv>,
): Promise<{ request: GenerateRequest; references: ReferenceImage[] }> {
  const kind = bodyKind(c)
  if (kind === 'form') {
    const form = await readFormBody(c, 'Send the references as multipart/form-data file parts.')
    const { fields, files } = await splitForm(form, REFERENCE_FIELDS)
    return { request: parseBody(EditFormFieldsSchema, fields), references: checkReferences(files) }
  }
  if (kind === 'json') {
    const { references, ...request } = parseBody(EditJsonRequestSchema, await readJsonBody(c))
    return { request, references: referencesFromDataUrls(references) }
  }
  throw new ApiError(
    'unsupported_media_type',
    'Send an edit as multipart/form-data with the images as file parts, or as JSON with data: URLs.',
  )
}
