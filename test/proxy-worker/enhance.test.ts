import { describe, expect, it, vi } from 'vitest'
import { EnhanceResponseSchema } from '../../shared'
import { balanceOf, callWorker, createTestUser, jsonRequest } from './worker-client'

describe('POST /v1/prompts/enhance', () => {
  it('builds a structured brief by rules when no text model is configured, keeping quoted text verbatim', async () => {
    const user = await createTestUser(10)
    const response = await callWorker(
      '/v1/prompts/enhance',
      jsonRequest(user.token, {
        prompt:
          'premium poster of a soda can on a wet table, studio, headline "Fresh Drop — 50% off"',
      }),
    )
    const { data } = EnhanceResponseSchema.parse(await response.json())
    expect(data.source).toBe('rules')
    expect(data.brief.text).toEqual(['Fresh Drop — 50% off'])
    expect(data.brief.subject).toBe('premium poster of a soda can')
    expect(data.brief.setting).toBe('on a wet table')
    expect(data.brief.lighting).toContain('studio')
    expect(data.brief.mood).toBe('premium and refined')
    expect(data.prompt).toContain('"Fresh Drop — 50% off"')
    expect(await balanceOf(user.token)).toBe(10)
  })

  it('uses the upstream text model when configured, and still keeps the quoted text from the prompt', async () => {
    const brief = {
      subject: 'a cat',
      setting: 'a sofa',
      composition: 'centred',
      lighting: 'window light',
      camera: '50mm',
      style: 'photo',
      mood: 'cosy',
      text: ['WRONG'],
    }
    const fetchSpy = vi.spyOn(globalThis, 'fetch').mockResolvedValue(
      Response.json({
        choices: [{ message: { role: 'assistant', content: JSON.stringify(brief) } }],
      }),
    )
    const user = await createTestUser(10)
    const response = await callWorker(
      '/v1/prompts/enhance',
      jsonRequest(user.token, { prompt: 'cat with sign "Hello"' }),
      { OPENAI_API_KEY: 'sk-x', OPENAI_BASE_URL: 'https://openai.fake/v1' },
    )
    const { data } = EnhanceResponseSchema.parse(await response.json())
    expect(data.source).toBe('model')
    expect(data.brief).toMatchObject({ subject: 'a cat', text: ['Hello'] })
    const [url, init] = fetchSpy.mock.calls[0]
    expect(String(url)).toBe('https://openai.fake/v1/chat/completions')
    expect(JSON.parse(String(init?.body))).toMatchObject({
      response_format: { type: 'json_schema' },
    })
  })

  it('falls back to rules when the text model fails', async () => {
    vi.spyOn(globalThis, 'fetch').mockResolvedValue(new Response('nope', { status: 500 }))
    const user = await createTestUser(10)
    const response = await callWorker(
      '/v1/prompts/enhance',
      jsonRequest(user.token, { prompt: 'a fox' }),
      { OPENAI_API_KEY: 'sk-x' },
    )
    expect(EnhanceResponseSchema.parse(await response.json()).data.source).toBe('rules')
  })

  it('refuses an empty prompt', async () => {
    const user = await createTestUser(10)
    const response = await callWorker(
      '/v1/prompts/enhance',
      jsonRequest(user.token, { prompt: '' }),
    )
    expect(response.status).toBe(400)
  })
})
