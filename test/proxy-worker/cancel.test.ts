import { env, runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test'
import { describe, expect, it, vi } from 'vitest'
import { accountOf } from '../../proxy-worker/src/accounts/account-store'
import type { Env } from '../../proxy-worker/src/env'
import { readSse } from '../../shared'
import { fakeKie } from './fakes/fake-kie'
import {
  accountsFailing,
  balanceOf,
  callWorker,
  createTestUser,
  jsonRequest,
  ledgerOf,
  startWorker,
  useFakeUpstream,
} from './worker-client'

/**
 * The rule: credits charged = images the designer can get. Before the upstream has the job, a
 * client that leaves is refunded everything; after, the job runs to its end (the upstream bills
 * for it), its images are stored and charged, and GET /v1/generations/:id hands them over.
 */

// The preview stands in for a billing upstream: queued for 40% of the delay, then accepted.
const SLOW = { PREVIEW_DELAY_MS: '2000' }
const workerEnv = env as unknown as Env
const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

async function generation(token: string, requestId: string) {
  const response = await callWorker(`/v1/generations/${requestId}`, {
    headers: { Authorization: `Bearer ${token}` },
  })
  expect(response.status).toBe(200)
  return (
    (await response.json()) as {
      data: {
        state: string
        images: { url: string }[]
        credits: { charged: number; refunded: number } | null
        client_left: boolean
        accepted: boolean
      }
    }
  ).data
}

/** Reads server-sent events until `until` says stop, then leaves, as a closed plugin does. */
async function streamThenLeave(
  token: string,
  body: unknown,
  until: (event: { type: string }, seen: { type: string }[]) => boolean,
  overrides: Record<string, string> = SLOW,
) {
  const started = await startWorker(
    '/v1/images/generate',
    jsonRequest(token, { ...(body as object), stream: true }),
    overrides,
  )
  const requestId = started.response.headers.get('X-Request-Id')!
  const seen: { type: string }[] = []
  const events = readSse(started.response.body!)
  for await (const message of events) {
    const event = JSON.parse(message.data) as { type: string }
    seen.push(event)
    if (until(event, seen)) break
  }
  // Leaving the loop cancels the body, as a closed plugin window does.
  await started.settled
  return { requestId, seen }
}

async function expectCharged(userId: string, token: string, start: number, charged: number) {
  const ledger = await ledgerOf(userId)
  expect(ledger.balance).toBe(start - charged)
  expect(ledger.ledger.reduce((sum, entry) => sum + entry.delta, 0)).toBe(ledger.balance)
  expect(await balanceOf(token)).toBe(start - charged)
}

describe('cancelling a streaming generation', () => {
  it('before the upstream accepted it: everything is refunded, and the job says it made nothing', async () => {
    const user = await createTestUser(100)
    const { requestId } = await streamThenLeave(
      user.token,
      { prompt: 'early leaver', n: 2 },
      (event) => event.type === 'stage',
    )
    const job = await generation(user.token, requestId)
    expect(job).toMatchObject({
      state: 'failed',
      images: [],
      credits: { charged: 0, refunded: 12 },
    })
    await expectCharged(user.user_id, user.token, 100, 0)
  })

  it('between the partial previews and the finals: the job goes on, and the charge equals its images', async () => {
    const user = await createTestUser(100)
    const { requestId, seen } = await streamThenLeave(
      user.token,
      { prompt: 'partial leaver', n: 2 },
      (event) => event.type === 'partial',
    )
    expect(seen.some((event) => event.type === 'image')).toBe(false)
    const job = await generation(user.token, requestId)
    expect(job.state).toBe('done')
    expect(job.client_left).toBe(true)
    expect(job.images).toHaveLength(2)
    expect(job.credits).toEqual({ charged: 12, refunded: 0 })
    await expectCharged(user.user_id, user.token, 100, 12)
    // The images are there to be had.
    for (const image of job.images)
      expect((await callWorker(new URL(image.url).pathname)).status).toBe(200)
  })

  it('between two finals: both images are stored and charged, the second kept for later', async () => {
    const user = await createTestUser(100)
    const { requestId, seen } = await streamThenLeave(
      user.token,
      { prompt: 'leaves after one', n: 2 },
      (event) => event.type === 'image',
    )
    expect(seen.filter((event) => event.type === 'image')).toHaveLength(1)
    const job = await generation(user.token, requestId)
    expect(job.images).toHaveLength(2)
    expect(job.credits).toEqual({ charged: 12, refunded: 0 })
    await expectCharged(user.user_id, user.token, 100, 12)
  })
})

describe('cancelling a generation answered as JSON', () => {
  it('before the upstream accepted it, with a body sent without a length: everything is refunded', async () => {
    const user = await createTestUser(100)
    const controller = new AbortController()
    const json = new TextEncoder().encode(JSON.stringify({ prompt: 'chunked leaver', n: 2 }))
    const pending = startWorker(
      '/v1/images/generate',
      {
        method: 'POST',
        headers: { Authorization: `Bearer ${user.token}`, 'Content-Type': 'application/json' },
        body: new ReadableStream({
          start(stream) {
            stream.enqueue(json)
            stream.close()
          },
        }),
        duplex: 'half',
        signal: controller.signal,
      } as RequestInit,
      SLOW,
    )
    // Queued for the first 40% of the preview's 2 s: the upstream has not accepted it yet.
    await wait(300)
    controller.abort()
    const { settled } = await pending
    await settled
    const requestId = (await ledgerOf(user.user_id)).ledger.at(-1)!.request_id!
    const job = await generation(user.token, requestId)
    expect(job).toMatchObject({
      state: 'failed',
      accepted: false,
      credits: { charged: 0, refunded: 12 },
    })
    await expectCharged(user.user_id, user.token, 100, 0)
  })

  it('when the client stays, its acceptance and images are recorded with the settlement', async () => {
    const user = await createTestUser(100)
    const { response, settled } = await startWorker(
      '/v1/images/generate',
      jsonRequest(user.token, { prompt: 'json stayer', n: 3 }),
    )
    expect(response.status).toBe(200)
    const answer = (await response.json()) as { data: { request_id: string; images: unknown[] } }
    await settled
    const job = await generation(user.token, answer.data.request_id)
    expect(job).toMatchObject({ state: 'done', accepted: true, client_left: false })
    expect(job.images.map((image) => image.url)).toEqual(
      (answer.data.images as { url: string }[]).map((image) => image.url),
    )
    expect(job.credits?.charged).toBe(18)
    await expectCharged(user.user_id, user.token, 100, 18)
  })

  it('after the upstream accepted it: the job goes on to its end and is charged for its images', async () => {
    const user = await createTestUser(100)
    const controller = new AbortController()
    const pending = startWorker(
      '/v1/images/generate',
      { ...jsonRequest(user.token, { prompt: 'json leaver', n: 2 }), signal: controller.signal },
      SLOW,
    )
    await wait(1000)
    controller.abort()
    const { settled } = await pending
    await settled
    const ledger = await ledgerOf(user.user_id)
    const requestId = ledger.ledger.at(-1)!.request_id!
    const job = await generation(user.token, requestId)
    expect(job.client_left).toBe(true)
    expect(job.images).toHaveLength(2)
    expect(job.credits?.charged).toBe(12)
    await expectCharged(user.user_id, user.token, 100, 12)
  })
})

describe('an OpenAI-style answer its client leaves while reading', () => {
  /** The job lists both images, charged, each there to be had. */
  async function expectBothKept(user: { user_id: string; token: string }, requestId: string) {
    const job = await generation(user.token, requestId)
    expect(job.state).toBe('done')
    expect(job.images.map((image) => (image as { index?: number }).index)).toEqual([0, 1])
    expect(job.credits).toEqual({ charged: 4, refunded: 0 })
    await expectCharged(user.user_id, user.token, 100, 4)
    for (const image of job.images)
      expect((await callWorker(new URL(image.url).pathname)).status).toBe(200)
    return job
  }

  it('as JSON: the images it had not read are stored, listed with the job and charged', async () => {
    const user = await createTestUser(100)
    // b64_json with no key: the images travel in the answer alone, not in storage.
    const { response, settled } = await startWorker(
      '/v1/images/generations',
      jsonRequest(user.token, { prompt: 'reads the start only', quality: 'low', n: 2 }),
    )
    expect(response.status).toBe(200)
    const requestId = response.headers.get('X-Request-Id')!
    const reader = response.body!.getReader()
    const first = await reader.read()
    expect(new TextDecoder().decode(first.value)).toContain('"data":[')
    await reader.cancel()
    await settled
    await expectBothKept(user, requestId)
  })

  it('as events, after the first image: every image is listed with the job and charged', async () => {
    const user = await createTestUser(100)
    const { response, settled } = await startWorker(
      '/v1/images/generations',
      jsonRequest(user.token, { prompt: 'leaves after one', quality: 'low', n: 2, stream: true }),
    )
    const requestId = response.headers.get('X-Request-Id')!
    const completed: string[] = []
    for await (const message of readSse(response.body!)) {
      const event = JSON.parse(message.data) as { type: string; b64_json?: string }
      if (event.type === 'image_generation.completed') completed.push(event.b64_json!)
      if (completed.length === 1) break
    }
    await settled
    const job = await expectBothKept(user, requestId)
    // The image the client had is the one the job lists first.
    const first = await callWorker(new URL(job.images[0].url).pathname)
    expect(Buffer.from(await first.arrayBuffer()).toString('base64')).toBe(completed[0])
  })

  it('as JSON read to its end: nothing more is listed or kept', async () => {
    const user = await createTestUser(100)
    const { response, settled } = await startWorker(
      '/v1/images/generations',
      jsonRequest(user.token, { prompt: 'reads it all', quality: 'low', n: 2 }),
    )
    const answer = (await response.json()) as { data: { b64_json: string }[] }
    expect(answer.data).toHaveLength(2)
    await settled
    const job = await generation(user.token, response.headers.get('X-Request-Id')!)
    expect(job.images).toEqual([])
    expect(job.credits).toEqual({ charged: 4, refunded: 0 })
  })
})

describe('a job answered as JSON that runs on after its acceptance', () => {
  it('tells the account object within seconds, with the images stored so far, then each as it comes', async () => {
    const user = await createTestUser(100)
    const account = accountOf(workerEnv, user.user_id)
    const jobRow = async () =>
      (
        await runInDurableObject(account, (_, state) =>
          state.storage.sql
            .exec<{ state: string; accepted: number; delivered: number; images: string }>(
              'SELECT state, accepted, delivered, images FROM jobs',
            )
            .toArray(),
        )
      ).map((row) => ({ ...row, images: (JSON.parse(row.images) as unknown[]).length }))
    // Two KIE tasks polled every 100 ms: the first ends at once, the second after about 4 s.
    useFakeUpstream(
      fakeKie('success', 'https://kie.fake', undefined, (task) => (task === 1 ? 2 : 40)),
    )
    const pending = startWorker(
      '/v1/images/generate',
      jsonRequest(user.token, { prompt: 'long json job', quality: 'low', n: 2 }),
      {
        KIE_API_KEY: 'kie-test-key',
        KIE_BASE_URL: 'https://kie.fake',
        KIE_POLL_INTERVAL_MS: '100',
      },
    )
    let seen: Awaited<ReturnType<typeof jobRow>> = []
    await vi.waitFor(
      async () => {
        seen = await jobRow()
        expect(seen[0]?.accepted === 1 || seen[0]?.state === 'done').toBe(true)
      },
      { timeout: 8000, interval: 100 },
    )
    // Were its isolate to stop now, the object would charge both images, as KIE bills, and the
    // designer could have the one already stored.
    expect(seen).toEqual([{ state: 'running', accepted: 1, delivered: 1, images: 1 }])
    const { response, settled } = await pending
    expect(response.status).toBe(200)
    await settled
    expect(await jobRow()).toEqual([{ state: 'done', accepted: 1, delivered: 2, images: 2 }])
    await expectCharged(user.user_id, user.token, 100, 4)
  }, 15_000)

  it('keeps the images for its settlement when telling the object fails', async () => {
    const user = await createTestUser(100)
    useFakeUpstream(
      fakeKie('success', 'https://kie.fake', undefined, (task) => (task === 1 ? 2 : 30)),
    )
    const response = await callWorker(
      '/v1/images/generate',
      jsonRequest(user.token, { prompt: 'unheard', quality: 'low', n: 2 }),
      {
        KIE_API_KEY: 'kie-test-key',
        KIE_BASE_URL: 'https://kie.fake',
        KIE_POLL_INTERVAL_MS: '100',
        ACCOUNTS: accountsFailing('accepted'),
      },
    )
    expect(response.status).toBe(200)
    const requestId = response.headers.get('X-Request-Id')!
    const job = await generation(user.token, requestId)
    expect(job.images).toHaveLength(2)
    expect(job.credits).toEqual({ charged: 4, refunded: 0 })
    await expectCharged(user.user_id, user.token, 100, 4)
  }, 15_000)
})

describe('a KIE task whose client left', () => {
  it('is polled to its end, stored and charged', async () => {
    const user = await createTestUser(100)
    const kie = {
      KIE_API_KEY: 'kie-test-key',
      KIE_BASE_URL: 'https://kie.fake',
      KIE_POLL_INTERVAL_MS: '50',
    }
    const fake = useFakeUpstream(fakeKie())
    const { requestId } = await streamThenLeave(
      user.token,
      { prompt: 'kie leaver', quality: 'low' },
      () => fake.tasks.size > 0,
      kie,
    )
    // The account object may still be following the task.
    await vi.waitFor(
      async () => expect((await generation(user.token, requestId)).state).toBe('done'),
      { timeout: 5000, interval: 50 },
    )
    const job = await generation(user.token, requestId)
    expect(job.images).toHaveLength(1)
    expect(job.credits).toEqual({ charged: 2, refunded: 0 })
    await expectCharged(user.user_id, user.token, 100, 2)
  })
})

describe('a KIE job whose client left, followed by the account object', () => {
  const KIE = {
    KIE_API_KEY: 'kie-test-key',
    KIE_BASE_URL: 'https://kie.fake',
    KIE_POLL_INTERVAL_MS: '50',
  }
  const followed = (userId: string) =>
    runInDurableObject(accountOf(workerEnv, userId), (_, state) =>
      state.storage.sql.exec<{ idx: number }>('SELECT idx FROM followed ORDER BY idx').toArray(),
    ).then((rows) => rows.map((row) => row.idx))

  /**
   * Streams a KIE job and leaves, as a closed plugin does, once `ready` holds (by default, once
   * every task is made); returns when the request's own work, waitUntil included, has ended.
   */
  async function leaveKieJob(
    token: string,
    body: Record<string, unknown>,
    ready: () => boolean,
    overrides: Partial<Env> = {},
    headers: Record<string, string> = {},
  ) {
    const started = await startWorker(
      '/v1/images/generate',
      jsonRequest(token, { ...body, stream: true }, headers),
      { ...KIE, ...overrides },
    )
    const requestId = started.response.headers.get('X-Request-Id')!
    const events = started.response.body!.getReader()
    await events.read()
    await vi.waitFor(() => expect(ready()).toBe(true), { timeout: 5000, interval: 20 })
    await events.cancel()
    await started.settled
    return requestId
  }

  /** Leaves a job of one KIE task that never ends, as soon as KIE has made the task. */
  function leaveEndlessTask(token: string, prompt: string, overrides: Partial<Env> = {}) {
    const fake = useFakeUpstream(fakeKie('success', 'https://kie.fake', undefined, () => 10_000))
    return leaveKieJob(token, { prompt, quality: 'low' }, () => fake.tasks.size === 1, overrides)
  }

  const finished = async (token: string, requestId: string) => {
    await vi.waitFor(
      async () => expect((await generation(token, requestId)).state).not.toBe('running'),
      { timeout: 10_000, interval: 50 },
    )
    return (await generation(token, requestId)) as Awaited<ReturnType<typeof generation>> & {
      error: string | null
    }
  }

  it('is finished, stored and charged by the object after the request has stopped', async () => {
    const user = await createTestUser(100)
    // Two tasks that each take 60 polls (about 3 s at 50 ms) to end.
    const fake = useFakeUpstream(fakeKie('success', 'https://kie.fake', undefined, () => 60))
    const requestId = await leaveKieJob(
      user.token,
      { prompt: 'kie handed over', quality: 'low', n: 2 },
      () => fake.tasks.size === 2,
    )
    // The request's own work has ended; the tasks have not, and the object follows them.
    expect([...fake.tasks.values()].every((task) => task.polls < task.ends)).toBe(true)
    expect(await followed(user.user_id)).toEqual([0, 1])
    expect(await generation(user.token, requestId)).toMatchObject({
      state: 'running',
      accepted: true,
      client_left: true,
    })
    const job = await finished(user.token, requestId)
    expect(job.state).toBe('done')
    expect(job.images).toHaveLength(2)
    expect(job.credits).toEqual({ charged: 4, refunded: 0 })
    expect(await followed(user.user_id)).toEqual([])
    for (const image of job.images) {
      const served = await callWorker(new URL(image.url).pathname)
      expect(served.headers.get('Content-Type')).toBe('image/png')
    }
    await expectCharged(user.user_id, user.token, 100, 4)
  }, 15_000)

  it('refunds a followed task that fails, says why, and frees its Idempotency-Key', async () => {
    const user = await createTestUser(100)
    // The first task fails after about 3 s; a retry's task fails at once.
    const fake = useFakeUpstream(
      fakeKie('fail', 'https://kie.fake', undefined, (task) => (task === 1 ? 60 : 1)),
    )
    const body = { prompt: 'kie fails later', quality: 'low' }
    const key = { 'Idempotency-Key': 'kie-fails-1' }
    const requestId = await leaveKieJob(user.token, body, () => fake.tasks.size === 1, {}, key)
    expect(fake.tasks.get('task_1')!.polls).toBeLessThan(60)
    expect(await followed(user.user_id)).toEqual([0])
    const job = await finished(user.token, requestId)
    expect(job.state).toBe('failed')
    expect(job.images).toEqual([])
    expect(job.credits).toEqual({ charged: 0, refunded: 2 })
    expect(job.error).toContain('failed to make this image')
    await expectCharged(user.user_id, user.token, 100, 0)
    // A job that made nothing is not replayed as an empty success: the key runs the job again.
    const retry = await callWorker('/v1/images/generate', jsonRequest(user.token, body, key), KIE)
    expect(fake.tasks.size).toBe(2)
    expect(retry.status).toBe(502)
    await expectCharged(user.user_id, user.token, 100, 0)
  }, 15_000)

  it('is followed by the request itself when the object cannot take it', async () => {
    const user = await createTestUser(100)
    const fake = useFakeUpstream(fakeKie('success', 'https://kie.fake', undefined, () => 20))
    const requestId = await leaveKieJob(
      user.token,
      { prompt: 'kie not handed over', quality: 'low' },
      () => fake.tasks.size === 1,
      { ACCOUNTS: accountsFailing('follow') },
    )
    expect(await followed(user.user_id)).toEqual([])
    const job = await generation(user.token, requestId)
    expect(job.state).toBe('done')
    expect(job.images).toHaveLength(1)
    expect(job.credits).toEqual({ charged: 2, refunded: 0 })
    await expectCharged(user.user_id, user.token, 100, 2)
  })

  it('is settled by the object alone when a task had already failed as the client left', async () => {
    const user = await createTestUser(100)
    // The first task fails at its first poll; the second takes about 3 s to succeed.
    const fake = useFakeUpstream(
      fakeKie(
        (task) => (task === 1 ? 'fail' : 'success'),
        'https://kie.fake',
        undefined,
        (task) => (task === 1 ? 1 : 60),
      ),
    )
    const requestId = await leaveKieJob(
      user.token,
      { prompt: 'one fails, one follows', quality: 'low', n: 2 },
      () => (fake.tasks.get('task_1')?.polls ?? 0) >= 1 && fake.tasks.size === 2,
    )
    expect(fake.tasks.get('task_2')!.polls).toBeLessThan(60)
    const job = await finished(user.token, requestId)
    expect(job.state).toBe('done')
    expect(job.images).toHaveLength(1)
    expect(job.credits).toEqual({ charged: 2, refunded: 2 })
    await expectCharged(user.user_id, user.token, 100, 2)
  }, 15_000)

  it('gives a task up at the upstream timeout and refunds it', async () => {
    const user = await createTestUser(100)
    const requestId = await leaveEndlessTask(user.token, 'kie never ends', {
      UPSTREAM_TIMEOUT_MS: '4000',
    })
    expect(await followed(user.user_id)).toEqual([0])
    const job = await finished(user.token, requestId)
    expect(job.state).toBe('failed')
    expect(job.credits).toEqual({ charged: 0, refunded: 2 })
    expect(job.error).toContain('took too long')
    expect(await followed(user.user_id)).toEqual([])
    await expectCharged(user.user_id, user.token, 100, 0)
  }, 15_000)

  it('hands over the images it had kept back when telling the object of the departure fails', async () => {
    const user = await createTestUser(100)
    // Answered as JSON: the first image is stored at once and kept back for the settlement.
    const fake = useFakeUpstream(
      fakeKie('success', 'https://kie.fake', undefined, (task) => (task === 1 ? 1 : 60)),
    )
    const controller = new AbortController()
    const pending = startWorker(
      '/v1/images/generate',
      {
        ...jsonRequest(user.token, { prompt: 'kept back', quality: 'low', n: 2 }),
        signal: controller.signal,
      },
      { ...KIE, ACCOUNTS: accountsFailing('clientLeft') },
    )
    await vi.waitFor(() => expect(fake.tasks.get('task_1')?.polls).toBe(1), { timeout: 5000 })
    await wait(200)
    controller.abort()
    const { response, settled } = await pending
    const requestId = response.headers.get('X-Request-Id')!
    await settled
    expect(await followed(user.user_id)).toEqual([1])
    const job = await finished(user.token, requestId)
    expect(job.images.map((image) => (image as { index?: number }).index)).toEqual([0, 1])
    expect(job.credits).toEqual({ charged: 4, refunded: 0 })
    await expectCharged(user.user_id, user.token, 100, 4)
  }, 15_000)

  it('keeps an image an OpenAI-style answer was to carry, when its client leaves before the answer', async () => {
    const user = await createTestUser(100)
    // Answered as b64_json with no key: the first image waits for the answer, not in storage.
    const fake = useFakeUpstream(
      fakeKie('success', 'https://kie.fake', undefined, (task) => (task === 1 ? 1 : 60)),
    )
    const controller = new AbortController()
    const pending = startWorker(
      '/v1/images/generations',
      {
        ...jsonRequest(user.token, { prompt: 'carried in the answer', quality: 'low', n: 2 }),
        signal: controller.signal,
      },
      KIE,
    )
    await vi.waitFor(() => expect(fake.tasks.get('task_1')?.polls).toBe(1), { timeout: 5000 })
    await wait(200)
    controller.abort()
    const { settled } = await pending
    await settled
    const requestId = (await ledgerOf(user.user_id)).ledger.at(-1)!.request_id!
    const job = await finished(user.token, requestId)
    // Both images can be had from the job, and both are charged.
    expect(job.images.map((image) => (image as { index?: number }).index)).toEqual([0, 1])
    expect(job.credits).toEqual({ charged: 4, refunded: 0 })
    await expectCharged(user.user_id, user.token, 100, 4)
  }, 15_000)

  it('hands over the tasks KIE accepted when it refused another, and refunds the refused one', async () => {
    const user = await createTestUser(100)
    // Of two tasks, KIE refuses the second to arrive; the other takes 60 polls (about 3 s).
    const fake = useFakeUpstream(
      fakeKie(
        (task) => (task === 2 ? 'no-credits' : 'success'),
        'https://kie.fake',
        undefined,
        () => 60,
      ),
    )
    const requestId = await leaveKieJob(
      user.token,
      { prompt: 'one of two refused', quality: 'low', n: 2 },
      () => fake.tasks.size === 1,
    )
    // The request's own work has ended: the object follows the accepted task.
    expect(await followed(user.user_id)).toHaveLength(1)
    const job = await finished(user.token, requestId)
    expect(job.images).toHaveLength(1)
    expect(job.credits).toEqual({ charged: 2, refunded: 2 })
    await expectCharged(user.user_id, user.token, 100, 2)
  }, 15_000)

  it('charges a followed job whose hold runs out for what the object stored, not in full', async () => {
    const user = await createTestUser(100)
    const requestId = await leaveEndlessTask(user.token, 'kie outlives its hold')
    expect(await followed(user.user_id)).toEqual([0])
    const account = accountOf(workerEnv, user.user_id)
    await runInDurableObject(account, (_, state) => {
      state.storage.sql.exec("UPDATE jobs SET until = 0 WHERE state = 'running'")
    })
    await runDurableObjectAlarm(account)
    const job = await generation(user.token, requestId)
    expect(job.state).toBe('stopped')
    expect(job.credits).toEqual({ charged: 0, refunded: 2 })
    expect(await followed(user.user_id)).toEqual([])
    await expectCharged(user.user_id, user.token, 100, 0)
  })

  it('keeps its Idempotency-Key: a repeat is told it runs, then gets what the object finished', async () => {
    const user = await createTestUser(100)
    const fake = useFakeUpstream(fakeKie('success', 'https://kie.fake', undefined, () => 60))
    const body = { prompt: 'kie keyed', quality: 'low' }
    const key = { 'Idempotency-Key': 'kie-keyed-1' }
    const requestId = await leaveKieJob(user.token, body, () => fake.tasks.size === 1, {}, key)
    const repeat = () => callWorker('/v1/images/generate', jsonRequest(user.token, body, key), KIE)
    expect((await repeat()).status).toBe(409)
    const job = await finished(user.token, requestId)
    const replayed = await repeat()
    expect(replayed.status).toBe(200)
    const { data } = (await replayed.json()) as {
      data: { request_id: string; images: { url: string }[]; credits: { charged: number } }
    }
    expect(data.request_id).toBe(requestId)
    expect(data.images.map((image) => image.url)).toEqual(job.images.map((image) => image.url))
    expect(data.credits.charged).toBe(2)
    expect(fake.tasks.size).toBe(1)
    await expectCharged(user.user_id, user.token, 100, 2)
  }, 15_000)
})

describe('GET /v1/generations/:id', () => {
  it('shows a generation to its owner only', async () => {
    const [owner, other] = [await createTestUser(100), await createTestUser(100)]
    const response = await callWorker(
      '/v1/images/generate',
      jsonRequest(owner.token, { prompt: 'mine', quality: 'low' }),
    )
    const requestId = response.headers.get('X-Request-Id')!
    expect((await generation(owner.token, requestId)).images).toHaveLength(1)
    const stranger = await callWorker(`/v1/generations/${requestId}`, {
      headers: { Authorization: `Bearer ${other.token}` },
    })
    expect(stranger.status).toBe(404)
  })
})
