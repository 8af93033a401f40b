import { Hono } from 'hono'
import { createMiddleware } from 'hono/factory'
import { briefToPrompt, EnhanceRequestSchema, MAX_JSON_BODY_BYTES } from '../../../shared'
import { accountOf } from '../accounts/account-store'
import { modelBrief } from '../enhance/model-brief'
import { ruleBrief } from '../enhance/rule-brief'
import { type AppEnv, numberSetting } from '../env'
import { ApiError } from '../http/api-error'
import { refusalError, requireUser } from '../http/authenticate'
import { limitBody } from '../http/limit-body'
import { requireJson, valid } from '../http/validation'

const ENHANCE_TIMEOUT_MS = 20_000
const DEFAULT_ENHANCE_PER_MINUTE = 30

/**
 * Enhance is free, but not unlimited: a designer may use it while they have credits, up to
 * ENHANCE_PER_MINUTE times a minute, so it cannot become a free text model paid for by the operator.
 */
const enhanceAllowance = createMiddleware<AppEnv>(async (c, next) => {
  const user = c.get('user')
  const limit = numberSetting(c.env.ENHANCE_PER_MINUTE, DEFAULT_ENHANCE_PER_MINUTE)
  const allowed = await accountOf(c.env, user.id).allow(
    user.id,
    'enhance',
    limit,
    60_000,
    c.get('access'),
  )
  if (!allowed.ok && (allowed.reason === 'disabled' || allowed.reason === 'revoked'))
    throw refusalError(allowed.reason)
  if (!allowed.ok && allowed.reason === 'unknown_user') throw refusalError('revoked')
  if (!allowed.ok && allowed.reason === 'no_credits')
    throw new ApiError(
      'insufficient_credits',
      'Enhance is free while you have credits, and you have none left. Ask your team admin for more credits.',
    )
  if (!allowed.ok && allowed.reason === 'rate') {
    const seconds = Math.max(1, Math.ceil(allowed.retryAfterMs / 1000))
    c.header('Retry-After', String(seconds))
    throw new ApiError(
      'rate_limited',
      `You have used Enhance ${limit} times in the last minute. Try again in ${seconds} seconds.`,
    )
  }
  await next()
})

export const prompts = new Hono<AppEnv>()

prompts.post(
  '/enhance',
  requireUser,
  limitBody(MAX_JSON_BODY_BYTES),
  requireJson,
  valid('json', EnhanceRequestSchema),
  enhanceAllowance,
  async (c) => {
    const { prompt } = c.req.valid('json')
    const signal = AbortSignal.any([c.req.raw.signal, AbortSignal.timeout(ENHANCE_TIMEOUT_MS)])
    const fromModel = await modelBrief(c.env, prompt, signal)
    const brief = fromModel ?? ruleBrief(prompt)
    return c.json({
      code: 0,
      message: 'ok',
      data: { prompt: briefToPrompt(brief), brief, source: fromModel ? 'model' : 'rules' },
    })
  },
)
