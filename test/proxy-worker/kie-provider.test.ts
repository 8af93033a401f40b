import { describe, expect, it } from 'vitest'
import { imageInfo } from '../../shared/image-info'
import { fakeKie, type KieOutcome } from './fakes/fake-kie'
import { base64, solidPng } from './fixtures/tiny-images'
import {
  balanceOf,
  callWorker,
  createTestUser,
  generate,
  generateOk,
  jsonRequest,
  useFakeUpstream,
} from './worker-client'

const KIE = {
  KIE_API_KEY: 'kie-test-key',
  KIE_BASE_URL: 'https://kie.fake',
  KIE_POLL_INTERVAL_MS: '5',
}

const useFakeKie = (outcome: KieOutcome = 'success') => useFakeUpstream(fakeKie(outcome))

describe('the kie provider', () => {
  it('creates one task per image, polls to success and copies the result bytes', async () => {
    const fake = useFakeKie()
    const user = await createTestUser(100)
    const data = await generateOk(
      user.token,
      { prompt: 'kie poster', size: '16:9', quality: 'high', n: 2 },
      KIE,
    )
    expect(fake.tasks.size).toBe(2)
    for (const task of fake.tasks.values()) {
      expect(task.body).toEqual({
        model: 'gpt-image-2-text-to-image',
        input: { prompt: 'kie poster', aspect_ratio: '16:9', resolution: '4K' },
      })
    }
    expect(data.provider).toBe('kie')
    // The reported size is read from the bytes KIE really sent.
    expect(data.images[0]).toMatchObject({ width: 1024, height: 576, preview: false })
    const stored = await callWorker(new URL(data.images[0].url).pathname)
    expect(imageInfo(new Uint8Array(await stored.arrayBuffer()))).toMatchObject({
      width: 1024,
      height: 576,
    })
    expect(data.credits.charged).toBe(24)
  })

  it('sends references as short-lived worker URLs that serve the reference bytes', async () => {
    const fake = useFakeKie()
    const user = await createTestUser(100)
    const reference = await solidPng(32, 32)
    const response = await callWorker(
      '/v1/images/edit',
      jsonRequest(user.token, {
        prompt: 'restyle',
        quality: 'low',
        references: [`data:image/png;base64,${base64(reference)}`],
      }),
      KIE,
    )
    expect(response.status).toBe(200)
    const [task] = fake.tasks.values()
    expect(task.body.model).toBe('gpt-image-2-image-to-image')
    expect(task.body.input.input_urls).toHaveLength(1)
    const served = await callWorker(new URL(task.body.input.input_urls![0]).pathname)
    expect(new Uint8Array(await served.arrayBuffer())).toEqual(reference)
  })

  for (const [outcome, status, type] of [
    ['fail', 502, 'upstream_error'],
    ['policy', 400, 'content_policy'],
    ['no-credits', 503, 'upstream_quota'],
  ] as const) {
    it(`refunds when a task ends with ${outcome}`, async () => {
      useFakeKie(outcome)
      const user = await createTestUser(100)
      const response = await generate(user.token, { prompt: 'will fail', quality: 'medium' }, KIE)
      expect(response.status).toBe(status)
      expect(await response.json()).toMatchObject({ type })
      expect(await balanceOf(user.token)).toBe(100)
    })
  }

  it('looks at a task again when KIE fails for a moment, and gives up after five looks in a row', async () => {
    const fake = fakeKie()
    let breakLooks = 0
    useFakeUpstream({
      handler: async (input: RequestInfo | URL, init?: RequestInit) => {
        const url = new URL(new Request(input, init).url)
        if (url.pathname === '/api/v1/jobs/recordInfo' && breakLooks > 0) {
          breakLooks--
          return Response.json({ code: 500, msg: 'server busy', data: null })
        }
        return fake.handler(input, init)
      },
    })
    const user = await createTestUser(100)
    breakLooks = 4
    const data = await generateOk(user.token, { prompt: 'kie hiccup', quality: 'low' }, KIE)
    expect(data.images).toHaveLength(1)
    expect(data.credits.charged).toBe(2)
    breakLooks = 5
    const response = await generate(user.token, { prompt: 'kie down', quality: 'low' }, KIE)
    expect(response.status).toBe(502)
    expect(await response.json()).toMatchObject({ type: 'upstream_error' })
    expect(await balanceOf(user.token)).toBe(98)
  })

  it('lists only the models KIE can serve when it is the only upstream', async () => {
    const response = await callWorker('/v1/models', {}, KIE)
    const body = (await response.json()) as { data: { models: { id: string; provider: string }[] } }
    expect(body.data.models.map((model) => [model.id, model.provider])).toEqual([
      ['gpt-image-2', 'kie'],
    ])
    const user = await createTestUser(100)
    const refused = await generate(user.token, { prompt: 'x', model: 'gpt-image-1.5' }, KIE)
    expect(refused.status).toBe(400)
    expect(await refused.json()).toMatchObject({ type: 'model_unavailable' })
    expect(await balanceOf(user.token)).toBe(100)
  })
})
