import type { Context } from 'hono'
import { EditFormFieldsSchema, EditJsonRequestSchema, type GenerateRequest } from '../../../shared'
import type { AppEnv } from '../env'
import { ApiError } from '../http/api-error'
import { issuesMessage } from '../http/validation'
import type { ReferenceImage } from '../providers/image-provider'
import { checkReferences, referencesFromDataUrls, splitForm } from './read-references'

const REFERENCE_FIELDS = ['references', 'references[]', 'image', 'image[]']

async function readJsonBody(c: Context<AppEnv>): Promise<unknown> {
  try {
    return await c.req.json()
  } catch {
    throw new ApiError(
      'invalid_json',
      'The request body is not valid JSON. Send a JSON object with Content-Type: application/json.',
    )
  }
}

/** An edit arrives as multipart file parts or as JSON with data: URLs; both end up the same. */
export async function readEditRequest(
  c: Context<AppEnv>,
): Promise<{ request: GenerateRequest; references: ReferenceImage[] }> {
  const type = c.req.header('Content-Type') ?? ''
  if (/^multipart\/form-data/i.test(type)) {
    let form: FormData
    try {
      form = await c.req.formData()
    } catch {
      throw new ApiError(
        'invalid_request',
        'The form data could not be read. Send the references as multipart/form-data file parts.',
      )
    }
    const { fields, files } = await splitForm(form, REFERENCE_FIELDS)
    const parsed = EditFormFieldsSchema.safeParse(fields)
    if (!parsed.success) throw new ApiError('invalid_request', issuesMessage(parsed.error))
    return { request: parsed.data, references: checkReferences(files) }
  }
  if (/^application\/(.+\+)?json\b/i.test(type)) {
    const parsed = EditJsonRequestSchema.safeParse(await readJsonBody(c))
    if (!parsed.success) throw new ApiError('invalid_request', issuesMessage(parsed.error))
    const { references, ...request } = parsed.data
    return { request, references: referencesFromDataUrls(references) }
  }
  throw new ApiError(
    'unsupported_media_type',
    'Send an edit as multipart/form-data with the images as file parts, or as JSON with data: URLs.',
  )
}
