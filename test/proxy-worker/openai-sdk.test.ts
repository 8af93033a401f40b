import { env, SELF } from 'cloudflare:test'
import OpenAI, { toFile } from 'openai'
import { describe, expect, it } from 'vitest'
import type { Env } from '../../proxy-worker/src/env'
import { decodeBase64 } from '../../shared/base64'
import { imageInfo } from '../../shared/image-info'
import { contractErrors } from './fakes/openai-contract'
import { base64, solidPng } from './fixtures/tiny-images'
import { balanceOf, callWorker, createTestUser, jsonRequest } from './worker-client'

/** The official SDK, unchanged: only its transport is pointed at the worker running in this runtime. */
function sdkFor(token: string) {
  return new OpenAI({
    apiKey: token,
    baseURL: 'https://worker.test/v1',
    fetch: (url, init) => SELF.fetch(String(url), init as RequestInit),
    maxRetries: 0,
  })
}

describe('the official openai SDK against the worker', () => {
  it('generates images and gets an ImagesResponse with b64_json, metered like the rest', async () => {
    const user = await createTestUser(100)
    const result = await sdkFor(user.token).images.generate({
      model: 'gpt-image-2',
      prompt: 'A lighthouse at dusk',
      size: '1536x1024',
      quality: 'low',
      n: 2,
    })
    expect(contractErrors('ImagesResponse', result)).toEqual([])
    expect(result.data).toHaveLength(2)
    const info = imageInfo(decodeBase64(result.data![0].b64_json!))
    expect(info).toMatchObject({ width: 1536, height: 1024 })
    expect(result).toMatchObject({
      size: '1536x1024',
      quality: 'low',
      output_format: 'png',
      background: 'opaque',
    })
    expect(await balanceOf(user.token)).toBe(96)
  })

  it('edits with uploaded files', async () => {
    const user = await createTestUser(100)
    const file = await toFile(await solidPng(24, 24), 'frame.png', { type: 'image/png' })
    const result = await sdkFor(user.token).images.edit({
      model: 'gpt-image-2',
      prompt: 'restyle',
      image: [file, file],
      quality: 'medium',
    })
    expect(result.data).toHaveLength(1)
    expect(await balanceOf(user.token)).toBe(94)
  })

  it('streams image_generation events', async () => {
    const user = await createTestUser(100)
    const stream = await sdkFor(user.token).images.generate({
      model: 'gpt-image-2',
      prompt: 'streamed',
      quality: 'low',
      stream: true,
      partial_images: 1,
    })
    const types: string[] = []
    for await (const event of stream) {
      types.push(event.type)
      expect(contractErrors('ImageGenStreamEvent', event)).toEqual([])
    }
    expect(types.at(-1)).toBe('image_generation.completed')
    expect(types).toContain('image_generation.partial_image')
  })

  it('raises the SDK error types with OpenAI-shaped bodies', async () => {
    const poor = await createTestUser(1)
    const error = await sdkFor(poor.token)
      .images.generate({ model: 'gpt-image-2', prompt: 'too expensive', quality: 'high' })
      .catch((caught) => caught)
    expect(error).toBeInstanceOf(OpenAI.APIError)
    expect(error.status).toBe(402)
    expect(contractErrors('ErrorResponse', { error: error.error })).toEqual([])
    expect(error.code).toBe('insufficient_credits')

    const wrongKey = await sdkFor('pf_wrong')
      .images.generate({ prompt: 'x' })
      .catch((caught) => caught)
    expect(wrongKey).toBeInstanceOf(OpenAI.AuthenticationError)

    const badSize = await sdkFor(poor.token)
      .images.generate({ prompt: 'x', size: '1000x1000' as '1024x1024' })
      .catch((caught) => caught)
    expect(badSize).toBeInstanceOf(OpenAI.BadRequestError)
    expect(await balanceOf(poor.token)).toBe(1)
  })
})

describe('OpenAI-compatible edits without the SDK', () => {
  it("takes EditImageBodyJsonParam's images with data URLs", async () => {
    const user = await createTestUser(100)
    const png = await solidPng(20, 20)
    const response = await SELF.fetch('https://worker.test/v1/images/edits', {
      method: 'POST',
      headers: { Authorization: `Bearer ${user.token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({
        model: 'gpt-image-2',
        prompt: 'restyle',
        quality: 'low',
        images: [{ image_url: `data:image/png;base64,${base64(png)}` }],
      }),
    })
    expect(response.status).toBe(200)
    expect(contractErrors('ImagesResponse', await response.json())).toEqual([])
    expect(await balanceOf(user.token)).toBe(98)
  })

  it("refuses a mask without transparency in OpenAI's error shape, saying why", async () => {
    const user = await createTestUser(100)
    const form = new FormData()
    form.append('prompt', 'restyle')
    form.append('image', new Blob([await solidPng(20, 20)], { type: 'image/png' }), 'a.png')
    form.append('mask', new Blob([await solidPng(20, 20)], { type: 'image/png' }), 'mask.png')
    const masked = await SELF.fetch('https://worker.test/v1/images/edits', {
      method: 'POST',
      headers: { Authorization: `Bearer ${user.token}` },
      body: form,
    })
    expect(masked.status).toBe(400)
    const body = (await masked.json()) as { error: { message: string } }
    expect(contractErrors('ErrorResponse', body)).toEqual([])
    expect(body.error.message).toContain('no transparency')
    expect(await balanceOf(user.token)).toBe(100)
  })
})

/** The real local R2 bucket, counting the objects written to it. */
function countingBucket() {
  const bucket = (env as unknown as Env).IMAGES
  const written: string[] = []
  const counting = new Proxy(bucket, {
    get(target, property) {
      if (property === 'put') {
        return (
          key: string,
          ...rest: Parameters<R2Bucket['put']> extends [string, ...infer R] ? R : never
        ) => {
          written.push(key)
          return target.put(key, ...rest)
        }
      }
      return Reflect.get(target, property, target).bind(target)
    },
  })
  return { bucket: counting, written }
}

describe('storage on the OpenAI-compatible routes', () => {
  const body = { model: 'gpt-image-2', prompt: 'A kite', size: '1024x1024', quality: 'low', n: 2 }

  it('stores nothing when the images go back as b64_json and no Idempotency-Key asks for a replay', async () => {
    const user = await createTestUser(100)
    const { bucket, written } = countingBucket()
    const response = await callWorker('/v1/images/generations', jsonRequest(user.token, body), {
      IMAGES: bucket,
    })
    expect(response.status).toBe(200)
    const result = (await response.json()) as { data: { b64_json: string }[] }
    expect(result.data.map((image) => imageInfo(decodeBase64(image.b64_json))?.width)).toEqual([
      1024, 1024,
    ])
    expect(written).toEqual([])
    expect(await balanceOf(user.token)).toBe(96)
  })

  it('stores the images to replay an Idempotency-Key, and the replay returns the same bytes', async () => {
    const user = await createTestUser(100)
    const { bucket, written } = countingBucket()
    const send = () =>
      callWorker(
        '/v1/images/generations',
        jsonRequest(user.token, body, { 'Idempotency-Key': 'sdk-retry' }),
        { IMAGES: bucket },
      )
    const images = async () => ((await (await send()).json()) as { data: unknown[] }).data
    const first = await images()
    expect(written).toHaveLength(2)
    expect(await images()).toEqual(first)
    expect(await balanceOf(user.token)).toBe(96)
  })

  it('stores the images that go back as URLs, which then serve the bytes', async () => {
    const user = await createTestUser(100)
    const { bucket, written } = countingBucket()
    const response = await callWorker(
      '/v1/images/generations',
      jsonRequest(user.token, { ...body, n: 1, response_format: 'url' }),
      { IMAGES: bucket },
    )
    const { data } = (await response.json()) as { data: { url: string }[] }
    expect(written).toHaveLength(1)
    const image = await callWorker(new URL(data[0].url).pathname, {}, { IMAGES: bucket })
    expect(image.status).toBe(200)
    expect(image.headers.get('Content-Type')).toBe('image/png')
  })
})
