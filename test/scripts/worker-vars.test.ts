import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import {
  describeVars,
  envFileText,
  WORKER_VARIABLES,
  workerVarsFrom,
} from '../../scripts/worker-vars.mjs'

describe('worker settings from the environment (npm start)', () => {
  it('covers every string setting the worker reads, except the admin token', () => {
    const env = readFileSync(join(__dirname, '../../proxy-worker/src/env.ts'), 'utf8')
    const declared = [...env.matchAll(/^\s+([A-Z][A-Z0-9_]+)\?: string$/gm)].map(
      (match) => match[1],
    )
    expect([...WORKER_VARIABLES].sort()).toEqual(
      declared.filter((name) => name !== 'ADMIN_TOKEN').sort(),
    )
  })

  it('takes only the worker’s settings, and only those with a value', () => {
    expect(
      workerVarsFrom({
        PREVIEW_DELAY_MS: '6000',
        OPENAI_API_KEY: 'sk-x',
        HOME: '/root',
        KIE_API_KEY: '',
      }),
    ).toEqual({ PREVIEW_DELAY_MS: '6000', OPENAI_API_KEY: 'sk-x' })
  })

  it('writes values literally, and names the keys without showing them', () => {
    const vars = {
      PREVIEW_DELAY_MS: '6000',
      OPENAI_API_KEY: 'sk-a$b#c',
      KIE_RESULT_HOSTS: "x.com, o'y.com",
    }
    expect(envFileText(vars)).toBe(
      "PREVIEW_DELAY_MS='6000'\nOPENAI_API_KEY='sk-a$b#c'\nKIE_RESULT_HOSTS=\"x.com, o'y.com\"",
    )
    expect(describeVars(vars)).toBe(
      "PREVIEW_DELAY_MS=6000, OPENAI_API_KEY (set), KIE_RESULT_HOSTS=x.com, o'y.com",
    )
    expect(() => envFileText({ OPENAI_API_KEY: 'a\nb' })).toThrow('line break')
  })
})
