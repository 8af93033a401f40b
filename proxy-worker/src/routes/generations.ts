import { Hono } from 'hono'
import * as z from 'zod/mini'
import { accountOf } from '../accounts/account-store'
import type { AppEnv } from '../env'
import { ApiError } from '../http/api-error'
import { refusalError, requireUser } from '../http/authenticate'
import { valid } from '../http/validation'

const RequestIdSchema = z.object({
  request_id: z.string().check(
    z.regex(/^[0-9a-f-]{36}$/, {
      error: 'No generation has this id: use the X-Request-Id of the request.',
    }),
  ),
})

export const generations = new Hono<AppEnv>()

/**
 * A generation's state and images, for its owner only: how a designer gets the images of a job
 * that went on after they cancelled or lost the connection. Kept for a day.
 */
generations.get('/:request_id', requireUser, valid('param', RequestIdSchema), async (c) => {
  const user = c.get('user')
  const job = await accountOf(c.env, user.id).job(
    user.id,
    c.req.valid('param').request_id,
    c.get('access'),
  )
  if (typeof job === 'string') throw refusalError(job)
  if (!job)
    throw new ApiError(
      'not_found',
      'You have no generation with this id (they are kept for a day).',
    )
  return c.json({ code: 0, message: 'ok', data: job })
})
