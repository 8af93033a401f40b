import { env } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import type { Env } from '../../proxy-worker/src/env'
import { PART_BYTES } from '../../proxy-worker/src/images/image-upload'
import { decodeBase64, encodeBase64 } from '../../shared'
import { fakeKie } from './fakes/fake-kie'
import { noisyPng } from './fixtures/noisy-png'
import {
  callWorker,
  createTestUser,
  expectStorageError,
  generate,
  jsonRequest,
  ledgerOf,
  OPENAI,
  readEventStream,
  startWorker,
  useFakeUpstream,
} from './worker-client'

const workerEnv = env as unknown as Env

/** An OpenAI answer with these images, sent in 64 KB pieces as a network would. */
function answering(...images: Uint8Array[]) {
  const bytes = new TextEncoder().encode(
    JSON.stringify({
      created: 1,
      data: images.map((image) => ({ b64_json: encodeBase64(image) })),
    }),
  )
  return {
    handler: async () =>
      new Response(
        new ReadableStream({
          start(controller) {
            for (let at = 0; at < bytes.length; at += 65536)
              controller.enqueue(bytes.slice(at, at + 65536))
            controller.close()
          },
        }),
        { headers: { 'Content-Type': 'application/json' } },
      ),
  }
}

/** The images bucket, counting multipart uploads and their parts, and failing parts if asked. */
function watchedBucket(failPart?: number) {
  const seen = { uploads: 0, parts: [] as number[], aborted: 0, keys: [] as string[] }
  const bucket = new Proxy(workerEnv.IMAGES, {
    get(target, property) {
      if (property !== 'createMultipartUpload')
        return Reflect.get(target, property, target).bind(target)
      return async (...args: Parameters<R2Bucket['createMultipartUpload']>) => {
        seen.uploads++
        const upload = await target.createMultipartUpload(...args)
        seen.keys.push(upload.key)
        return {
          key: upload.key,
          uploadId: upload.uploadId,
          uploadPart: (number: number, value: Uint8Array) => {
            if (number === failPart) return Promise.reject(new Error('R2 part failed: 503'))
            seen.parts.push(value.byteLength)
            return upload.uploadPart(number, value)
          },
          complete: (parts: R2UploadedPart[]) => upload.complete(parts),
          abort: () => {
            seen.aborted++
            return upload.abort()
          },
        }
      }
    },
  })
  return { seen, env: { ...OPENAI, IMAGES: bucket } as Partial<Env> }
}

const digest = async (bytes: Uint8Array) =>
  encodeBase64(new Uint8Array(await crypto.subtle.digest('SHA-256', bytes)))

async function servedBytes(url: string, token: string) {
  const response = await callWorker(new URL(url).pathname, {
    headers: { Authorization: `Bearer ${token}` },
  })
  expect(response.status).toBe(200)
  return new Uint8Array(await response.arrayBuffer())
}

const KIE = {
  KIE_API_KEY: 'kie-test-key',
  KIE_BASE_URL: 'https://kie.fake',
  KIE_POLL_INTERVAL_MS: '5',
  IMAGE_PROVIDER: 'kie',
} as Partial<Env>

/** A PNG header and then `megabytes` of zeros, made as they are read: a result with no end. */
function endlessResult(megabytes: number): () => ReadableStream<Uint8Array> {
  return () => {
    const zeros = new Uint8Array(1024 * 1024)
    let sent = -1
    return new ReadableStream({
      pull(controller) {
        if (sent++ === -1) controller.enqueue(noisyPng(1000).slice(0, 33))
        else if (sent <= megabytes) controller.enqueue(zeros)
        else controller.close()
      },
    })
  }
}

describe('large KIE results', () => {
  it('are copied into storage a part at a time as they download', async () => {
    const original = noisyPng(PART_BYTES + 500_000)
    useFakeUpstream(fakeKie('success', 'https://kie.fake', () => original))
    const user = await createTestUser(100)
    const bucket = watchedBucket()
    const response = await generate(
      user.token,
      { prompt: 'large kie', quality: 'low' },
      {
        ...KIE,
        IMAGES: bucket.env.IMAGES,
      },
    )
    expect(response.status).toBe(200)
    const { data } = (await response.json()) as { data: { images: { url: string }[] } }
    expect(bucket.seen.uploads).toBe(1)
    expect(await digest(await servedBytes(data.images[0].url, user.token))).toBe(
      await digest(original),
    )
  })

  it('stops copying a result larger than any image, refunds it and leaves no upload open', async () => {
    useFakeUpstream(fakeKie('success', 'https://kie.fake', endlessResult(80)))
    const user = await createTestUser(100)
    const bucket = watchedBucket()
    const response = await generate(
      user.token,
      { prompt: 'endless', quality: 'low' },
      {
        ...KIE,
        IMAGES: bucket.env.IMAGES,
      },
    )
    expect(response.status).toBe(502)
    expect(((await response.json()) as { message: string }).message).toContain(
      'larger than any image',
    )
    expect(bucket.seen.aborted).toBe(1)
    expect((await ledgerOf(user.user_id)).balance).toBe(100)
  })
})

describe('large images in an upstream answer', () => {
  it('go to storage in parts as they decode, and come back byte for byte', async () => {
    const originals = [noisyPng(PART_BYTES + 400_000), noisyPng(PART_BYTES + 900_000)]
    expect(originals[0].length).toBeGreaterThan(PART_BYTES)
    useFakeUpstream(answering(...originals))
    const user = await createTestUser(100)
    const bucket = watchedBucket()
    const response = await generate(
      user.token,
      { prompt: 'large', quality: 'low', n: 2 },
      bucket.env,
    )
    expect(response.status).toBe(200)
    const { data } = (await response.json()) as {
      data: { images: { url: string; bytes: number; width: number }[] }
    }
    expect(data.images.map((image) => [image.bytes, image.width])).toEqual(
      originals.map((bytes) => [bytes.length, 1800]),
    )
    for (const [index, image] of data.images.entries())
      expect(await digest(await servedBytes(image.url, user.token))).toBe(
        await digest(originals[index]),
      )
    // Every part but an image's last is exactly 5 MiB: the most a request holds of one image.
    expect(bucket.seen.uploads).toBe(2)
    expect(bucket.seen.parts.filter((size) => size === PART_BYTES)).toHaveLength(2)
    expect(Math.max(...bucket.seen.parts)).toBe(PART_BYTES)
    expect((await ledgerOf(user.user_id)).balance).toBe(100 - 2 * 2)
  })

  it('are answered as b64_json from storage, part by part, and then deleted', async () => {
    const originals = [noisyPng(PART_BYTES + 300_000), noisyPng(PART_BYTES + 700_000)]
    useFakeUpstream(answering(...originals))
    const user = await createTestUser(100)
    const bucket = watchedBucket()
    const response = await callWorker(
      '/v1/images/generations',
      jsonRequest(user.token, { model: 'gpt-image-2', prompt: 'large', quality: 'low', n: 2 }),
      bucket.env,
    )
    expect(response.status).toBe(200)
    const { data } = (await response.json()) as { data: { b64_json: string }[] }
    expect(await Promise.all(data.map((image) => digest(decodeBase64(image.b64_json))))).toEqual(
      await Promise.all(originals.map(digest)),
    )
    expect(bucket.seen.uploads).toBe(2)
    // Without an Idempotency-Key nothing may replay them: once written, they are gone.
    for (const key of bucket.seen.keys) expect(await workerEnv.IMAGES.head(key)).toBeNull()
    expect((await ledgerOf(user.user_id)).balance).toBe(100 - 2 * 2)
  })

  it('refunds an image that is not one and keeps the other', async () => {
    const noise = crypto.getRandomValues(new Uint8Array(60_000))
    useFakeUpstream(answering(noisyPng(300_000), noise))
    const user = await createTestUser(100)
    const response = await generate(user.token, { prompt: 'half', quality: 'low', n: 2 }, OPENAI)
    expect(response.status).toBe(200)
    const { data } = (await response.json()) as {
      data: { images: unknown[]; credits: { charged: number; refunded: number } }
    }
    expect(data.images).toHaveLength(1)
    expect(data.credits).toMatchObject({ charged: 2, refunded: 2 })
  })

  it('refunds an image whose upload fails midway, and leaves no upload open', async () => {
    useFakeUpstream(answering(noisyPng(2 * PART_BYTES + 1000)))
    const user = await createTestUser(100)
    const bucket = watchedBucket(2)
    const response = await generate(user.token, { prompt: 'lost', quality: 'low' }, bucket.env)
    await expectStorageError(response, 'could not save the image')
    expect(bucket.seen.aborted).toBe(1)
    expect((await ledgerOf(user.user_id)).balance).toBe(100)
  })
})

describe('the OpenAI-compatible stream, with KIE behind it', () => {
  it('sends every image KIE made, read back from storage, and keeps none of them', async () => {
    const original = noisyPng(200_000)
    useFakeUpstream(fakeKie('success', 'https://kie.fake', () => original))
    const user = await createTestUser(100)
    const before = (await workerEnv.IMAGES.list()).objects.length
    const { response, settled } = await startWorker(
      '/v1/images/generations',
      {
        method: 'POST',
        headers: { Authorization: `Bearer ${user.token}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ prompt: 'streamed from kie', quality: 'low', n: 2, stream: true }),
      },
      KIE,
    )
    expect(response.status).toBe(200)
    const { events } = await readEventStream(response)
    await settled
    const completed = events
      .map((event) => event.data as { type: string; b64_json?: string })
      .filter((event) => event.type === 'image_generation.completed')
    expect(completed).toHaveLength(2)
    for (const event of completed)
      expect(await digest(decodeBase64(event.b64_json!))).toBe(await digest(original))
    expect(await ledgerOf(user.user_id).then((view) => view.balance)).toBe(100 - 4)
    // Answered with the bytes, and asked for no key: nothing is kept to be fetched later.
    expect((await workerEnv.IMAGES.list()).objects.length).toBe(before)
  })
})
