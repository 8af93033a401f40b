import { Hono } from 'hono'
import * as z from 'zod/mini'
import {
  GenerateRequestSchema,
  MAX_EDIT_BODY_BYTES,
  MAX_JSON_BODY_BYTES,
  MAX_JSON_EDIT_BODY_BYTES,
} from '../../../shared'
import type { AppEnv } from '../env'
import { readEditRequest } from '../generation/read-edit-request'
import { respondWithGeneration } from '../generation/respond-with-generation'
import { ApiError } from '../http/api-error'
import { requireUser } from '../http/authenticate'
import { limitBody, limitEditBody } from '../http/limit-body'
import { requireJson, valid } from '../http/validation'
import { getImage } from '../images/image-store'
import { NO_INPUTS } from '../providers/image-provider'

const ImageIdSchema = z.object({
  id: z.string().check(z.regex(/^img_[A-Za-z0-9_-]{16,64}$/, { error: 'No image has this id.' })),
})

export const images = new Hono<AppEnv>()

images.post(
  '/generate',
  requireUser,
  limitBody(MAX_JSON_BODY_BYTES),
  requireJson,
  valid('json', GenerateRequestSchema),
  (c) => respondWithGeneration(c, c.req.valid('json'), NO_INPUTS),
)

images.post(
  '/edit',
  requireUser,
  limitEditBody(MAX_EDIT_BODY_BYTES, MAX_JSON_EDIT_BODY_BYTES),
  async (c) => {
    const { request, inputs } = await readEditRequest(c)
    return respondWithGeneration(c, request, inputs)
  },
)

images.get('/:id', valid('param', ImageIdSchema), async (c) => {
  const found = await getImage(c.env.IMAGES, c.req.valid('param').id)
  if (!found) {
    throw new ApiError('not_found', 'This image has expired or never existed. Generate it again.')
  }
  // A URL is a capability for a day: no cache may keep the image past its expiry.
  const secondsLeft = Math.max(0, Math.floor((found.expiresAt - Date.now()) / 1000))
  return c.body(found.body, 200, {
    'Content-Type': found.meta.mimeType,
    'X-Content-Type-Options': 'nosniff',
    'Cache-Control': `private, max-age=${Math.min(3600, secondsLeft)}, immutable`,
    'X-Image-Width': String(found.meta.width),
    'X-Image-Height': String(found.meta.height),
  })
})
