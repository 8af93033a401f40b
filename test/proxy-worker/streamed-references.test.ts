import { env } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import type { Env } from '../../proxy-worker/src/env'
import { ErrorBodySchema } from '../../shared'
import { fakeKie } from './fakes/fake-kie'
import { fakeOpenAi } from './fakes/fake-openai'
import { noisyPng } from './fixtures/noisy-png'
import { patternPng } from './fixtures/tiny-images'
import {
  balanceOf,
  callWorker,
  createTestUser,
  generate,
  ledgerOf,
  OPENAI,
  useFakeUpstream,
} from './worker-client'

const images = (env as unknown as Env).IMAGES

/** How many multipart references are waiting in R2 right now. */
async function spooled(): Promise<number> {
  return (await images.list({ prefix: 'spool/' })).objects.length
}

/** 64×64 references that differ from each other, so their order and bytes can be checked. */
const reference = (seed: number) =>
  patternPng(64, 64, (x, y) => [(x * seed) % 256, (y * 3 + seed) % 256, seed * 9, 255])

function editForm(files: { name: string; bytes: Uint8Array }[], field = 'references') {
  const form = new FormData()
  form.append('prompt', 'restyle the set')
  form.append('quality', 'low')
  for (const file of files)
    form.append(field, new Blob([file.bytes], { type: 'image/png' }), file.name)
  return form
}

const postEdit = (token: string, body: FormData | ReadableStream, headers = {}, overrides = {}) =>
  callWorker(
    '/v1/images/edit',
    {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, ...headers },
      body,
      duplex: 'half',
    } as RequestInit,
    overrides,
  )

async function expectRefusedUntouched(
  response: Response,
  user: { user_id: string; token: string },
  status: number,
  phrase: string,
) {
  const { message } = ErrorBodySchema.parse(await response.json())
  expect([response.status, message]).toEqual([status, expect.stringContaining(phrase)])
  expect(await balanceOf(user.token)).toBe(100)
  expect((await ledgerOf(user.user_id)).ledger).toHaveLength(1)
  expect(await spooled()).toBe(0)
}

describe('multipart references', () => {
  it('wait in storage, one part at a time, reach OpenAI byte for byte and in order, and are deleted after', async () => {
    const fake = fakeOpenAi()
    const duringCall: number[] = []
    useFakeUpstream({
      handler: async (input: RequestInfo | URL, init?: RequestInit) => {
        duringCall.push(await spooled())
        return fake.handler(input, init)
      },
    })
    const user = await createTestUser(100)
    const originals = Array.from({ length: 16 }, (_, index) => reference(index + 1))
    const response = await postEdit(
      user.token,
      editForm(originals.map((bytes, index) => ({ name: `frame ${index}.png`, bytes }))),
      {},
      OPENAI,
    )
    expect(response.status).toBe(200)
    expect(duringCall).toEqual([16])
    const [call] = fake.calls
    expect(call.files.image).toEqual(originals)
    expect(call.fileNames.slice(0, 2)).toEqual(['reference-1.png', 'reference-2.png'])
    expect(call.contractErrors).toEqual([])
    expect(await spooled()).toBe(0)
  })

  it('are published to KIE from storage as the same bytes', async () => {
    const fake = useFakeUpstream(fakeKie('success'))
    const user = await createTestUser(100)
    const originals = [reference(3), reference(5)]
    const response = await postEdit(
      user.token,
      editForm(originals.map((bytes, index) => ({ name: `kie ${index}.png`, bytes }))),
      {},
      { KIE_API_KEY: 'kie-test-key', KIE_BASE_URL: 'https://kie.fake', KIE_POLL_INTERVAL_MS: '5' },
    )
    expect(response.status).toBe(200)
    const [task] = fake.tasks.values()
    const served = await Promise.all(
      task.body.input.input_urls!.map(async (url) => {
        const answer = await callWorker(new URL(url).pathname)
        return new Uint8Array(await answer.arrayBuffer())
      }),
    )
    expect(served).toEqual(originals)
    expect(await spooled()).toBe(0)
  })

  it('refused part way (a damaged third image) delete what was kept and charge nothing', async () => {
    const fake = useFakeUpstream(fakeOpenAi())
    const user = await createTestUser(100)
    const damaged = reference(7).slice(0, -20)
    const form = editForm([
      { name: 'one.png', bytes: reference(1) },
      { name: 'two.png', bytes: reference(2) },
      { name: 'broken.png', bytes: damaged },
      { name: 'four.png', bytes: reference(4) },
    ])
    await expectRefusedUntouched(
      await postEdit(user.token, form, {}, OPENAI),
      user,
      400,
      'Reference 3 (broken.png) is not a complete PNG',
    )
    const tooMany = editForm(
      Array.from({ length: 17 }, (_, index) => ({ name: `${index}.png`, bytes: reference(index) })),
    )
    await expectRefusedUntouched(
      await postEdit(user.token, tooMany, {}, OPENAI),
      user,
      400,
      'Use at most 16 reference images (you sent 17)',
    )
    expect(fake.calls).toHaveLength(0)
  })

  it('that storage cannot take are refused with 503, charged nothing, and what was kept is deleted', async () => {
    const fake = useFakeUpstream(fakeOpenAi())
    const user = await createTestUser(100)
    let puts = 0
    const failing = new Proxy(images, {
      get(target, property) {
        if (property !== 'put') return Reflect.get(target, property, target).bind(target)
        return (...args: Parameters<R2Bucket['put']>) =>
          ++puts === 3 ? Promise.reject(new Error('R2 put failed: 503')) : target.put(...args)
      },
    })
    const form = editForm(
      [1, 2, 3].map((seed) => ({ name: `${seed}.png`, bytes: reference(seed) })),
    )
    await expectRefusedUntouched(
      await postEdit(user.token, form, {}, { ...OPENAI, IMAGES: failing }),
      user,
      503,
      'could not take in the reference images',
    )
    expect(fake.calls).toHaveLength(0)
  })

  it('are read whatever the case of the Content-Type', async () => {
    useFakeUpstream(fakeOpenAi())
    const user = await createTestUser(100)
    const encoded = new Response(editForm([{ name: 'one.png', bytes: reference(1) }]))
    const type = encoded.headers
      .get('Content-Type')!
      .replace('multipart/form-data', 'Multipart/Form-Data')
    const response = await postEdit(
      user.token,
      (await encoded.arrayBuffer()) as unknown as FormData,
      { 'Content-Type': type },
      OPENAI,
    )
    expect(response.status).toBe(200)
  })

  it('over the size limit without Content-Length are refused with 413 as they arrive, nothing kept, and the worker serves on', async () => {
    useFakeUpstream(fakeOpenAi())
    const user = await createTestUser(100)
    // Five valid images just under 10 MB each: past the 48 MB limit only with the fifth.
    const big = noisyPng(10_300_000)
    const boundary = 'streamed-boundary'
    const encoder = new TextEncoder()
    let sent = 0
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(
          encoder.encode(
            `--${boundary}\r\nContent-Disposition: form-data; name="prompt"\r\n\r\ntoo much\r\n`,
          ),
        )
      },
      pull(controller) {
        if (sent === 5) {
          controller.enqueue(encoder.encode(`--${boundary}--\r\n`))
          return controller.close()
        }
        sent++
        controller.enqueue(
          encoder.encode(
            `--${boundary}\r\nContent-Disposition: form-data; name="references"; filename="big ${sent}.png"\r\nContent-Type: image/png\r\n\r\n`,
          ),
        )
        controller.enqueue(big)
        controller.enqueue(encoder.encode('\r\n'))
      },
    })
    const response = await postEdit(user.token, body, {
      'Content-Type': `multipart/form-data; boundary=${boundary}`,
    })
    await expectRefusedUntouched(response, user, 413, 'larger than 48 MB')
    expect(sent).toBe(5)
    expect((await generate(user.token, { prompt: 'after', quality: 'low' }, OPENAI)).status).toBe(
      200,
    )
  })
})
