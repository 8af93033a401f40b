import { createMiddleware } from 'hono/factory'
import { findUserByToken } from '../accounts/account-store'
import { secretsMatch } from '../accounts/token-hash'
import type { Refusal } from '../accounts/user-account'
import { type AppEnv, clockNow } from '../env'
import { ApiError } from './api-error'

/** An admin token shorter than this could be guessed; the worker refuses to use it. */
export const MIN_ADMIN_TOKEN_LENGTH = 32

function bearerToken(header: string | undefined): string | null {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '')
  return match ? match[1] : null
}

export const UNKNOWN_TOKEN =
  'Your Promptframe token was not recognised. Check it in Settings, or ask your team admin for a new one.'
export const ACCESS_OFF = 'Your Promptframe access is turned off; ask your team admin.'

/** Why the user's account object refused a request, as the error the designer sees. */
export function refusalError(refusal: Refusal): ApiError {
  return refusal === 'disabled'
    ? new ApiError('account_disabled', ACCESS_OFF)
    : new ApiError('unauthorized', UNKNOWN_TOKEN)
}

/**
 * Finds the user whose token hash matches the Bearer token: 401 otherwise, 403 when the team admin
 * turned them off. The user's account object checks both again on every call, so a token rotated
 * or a user turned off a moment ago is refused even where KV's copy still trails.
 */
export const requireUser = createMiddleware<AppEnv>(async (c, next) => {
  const token = bearerToken(c.req.header('Authorization'))
  if (!token) {
    throw new ApiError('unauthorized', 'Add your Promptframe token in Settings to continue.')
  }
  const found = token.length <= 200 ? await findUserByToken(c.env, token) : null
  if (!found) throw new ApiError('unauthorized', UNKNOWN_TOKEN)
  if (found.user.disabled) throw refusalError('disabled')
  c.set('user', found.user)
  c.set('access', { tokenHash: found.tokenHash, now: clockNow(c.env) })
  await next()
})

export const requireAdmin = createMiddleware<AppEnv>(async (c, next) => {
  const token = bearerToken(c.req.header('Authorization'))
  const expected = c.env.ADMIN_TOKEN
  if (!expected) {
    throw new ApiError(
      'admin_unauthorized',
      'Admin access is off: set the ADMIN_TOKEN secret on the worker.',
    )
  }
  if (expected.length < MIN_ADMIN_TOKEN_LENGTH) {
    throw new ApiError(
      'admin_unauthorized',
      `Admin access is off: the worker's ADMIN_TOKEN is shorter than ${MIN_ADMIN_TOKEN_LENGTH} characters, too easy to guess. Set a longer one (wrangler secret put ADMIN_TOKEN).`,
    )
  }
  if (!token || !(await secretsMatch(token, expected))) {
    throw new ApiError('admin_unauthorized', 'The admin token is missing or wrong.')
  }
  await next()
})
