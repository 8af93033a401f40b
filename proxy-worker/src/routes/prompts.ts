import { Hono } from 'hono'
import { briefToPrompt, EnhanceRequestSchema, MAX_JSON_BODY_BYTES } from '../../../shared'
import { modelBrief } from '../enhance/model-brief'
import { ruleBrief } from '../enhance/rule-brief'
import type { AppEnv } from '../env'
import { requireUser } from '../http/authenticate'
import { limitBody } from '../http/limit-body'
import { requireJson, valid } from '../http/validation'

const ENHANCE_TIMEOUT_MS = 20_000

export const prompts = new Hono<AppEnv>()

prompts.post(
  '/enhance',
  requireUser,
  limitBody(MAX_JSON_BODY_BYTES),
  requireJson,
  valid('json', EnhanceRequestSchema),
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
