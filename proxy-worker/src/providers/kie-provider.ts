import type { Quality } from '../../../shared'
import { ApiError } from '../http/api-error'
import { abortableDelay } from './abortable-delay'
import type { ImageJob, ImageProvider } from './image-provider'
import type { DecodedImageTarget } from './read-b64-images'
import { abortOrNetworkError, readJson, upstreamFetch } from './upstream-fetch'

export interface KieSettings {
  apiKey: string
  baseUrl: string
  pollIntervalMs: number
  /** Hosts results may be fetched from: exact names, or "*.domain" for its subdomains. */
  resultHosts: string[]
}

/** A 4K PNG is well under this; a result larger than it is not an image. */
const MAX_RESULT_BYTES = 64 * 1024 * 1024

export function isResultHost(url: string, hosts: string[]): boolean {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    return false
  }
  if (parsed.protocol !== 'https:') return false
  const host = parsed.hostname.toLowerCase()
  return hosts.some((allowed) =>
    allowed.startsWith('*.') ? host.endsWith(allowed.slice(1)) : host === allowed,
  )
}

/**
 * Copies a body into an image target as it arrives, counting: false (the target aborted) when it
 * grows past `limit`.
 */
async function copyCapped(
  body: ReadableStream<Uint8Array>,
  limit: number,
  target: DecodedImageTarget,
): Promise<boolean> {
  const reader = body.getReader()
  let total = 0
  try {
    for (;;) {
      const { value, done } = await reader.read()
      if (done) break
      total += value.length
      if (total > limit) {
        await reader.cancel()
        await target.abort?.()
        return false
      }
      await target.write(value)
    }
    await target.close()
    return true
  } catch (error) {
    await reader.cancel().catch(() => {})
    await target.abort?.()
    throw error
  }
}

/** KIE prices gpt-image-2 flat; its lever is resolution, so quality picks it. */
export const KIE_RESOLUTION: Record<Quality, '1K' | '2K' | '4K'> = {
  low: '1K',
  medium: '2K',
  high: '4K',
}

interface KieEnvelope<T> {
  code?: number
  msg?: string
  data?: T
}

interface KieRecord {
  state?: 'waiting' | 'queuing' | 'generating' | 'success' | 'fail'
  resultJson?: string
  failCode?: string | null
  failMsg?: string | null
}

function kieError(code: number | undefined, message: string | undefined): ApiError {
  if (code === 402) {
    return new ApiError(
      'upstream_quota',
      'The image service has run out of credits. Your credits were refunded: let your team admin know.',
    )
  }
  if (code === 429) {
    return new ApiError(
      'rate_limited',
      'The image model is busy right now. Your credits were refunded: wait a minute and try again.',
    )
  }
  if (code === 401 || code === 403) {
    return new ApiError(
      'upstream_unconfigured',
      "The image service refused Promptframe's key. Your credits were refunded: let your team admin know.",
    )
  }
  // KIE's own words go to the log, never to the designer.
  console.error('KIE refused a task', code, message)
  return new ApiError(
    'upstream_error',
    'The image model could not do this request. Your credits were refunded: change the prompt or references, or try again.',
  )
}

/** KIE says the task itself ended without an image: asking again changes nothing. */
export class KieTaskFailed extends ApiError {}

/**
 * Whether a look at a task that went wrong may go right next time: KIE busy, KIE or the network
 * failing or slow for a moment. Not a task KIE says failed, a key it refuses, or an empty KIE
 * account.
 */
export const worthAnotherLook = (error: unknown) =>
  error instanceof ApiError &&
  !(error instanceof KieTaskFailed) &&
  ['rate_limited', 'upstream_error', 'upstream_timeout'].includes(error.type)

/** Looks that go wrong in a row before a waiting designer is told the task failed. */
const LOOKS_AGAIN = 5

function looksLikePolicyBlock(record: KieRecord): boolean {
  return /sensitive|policy|safety|moderat|nsfw/i.test(
    `${record.failCode ?? ''} ${record.failMsg ?? ''}`,
  )
}

/**
 * One KIE task, seen from outside: made, checked once, and its result copied. The worker polls a
 * task while its client listens; once the client has gone, the user's account object goes on
 * checking it from its alarm, with the same calls.
 */
export function kieTaskClient(settings: KieSettings) {
  const baseUrl = settings.baseUrl.replace(/\/+$/, '')
  const headers = { Authorization: `Bearer ${settings.apiKey}`, 'Content-Type': 'application/json' }

  async function create(job: ImageJob, inputUrls: string[]): Promise<string> {
    const body = {
      model: inputUrls.length > 0 ? 'gpt-image-2-image-to-image' : 'gpt-image-2-text-to-image',
      input: {
        prompt: job.prompt,
        aspect_ratio: job.aspectRatio,
        resolution: KIE_RESOLUTION[job.quality],
        ...(inputUrls.length > 0 ? { input_urls: inputUrls } : {}),
      },
    }
    const response = await upstreamFetch(
      `${baseUrl}/api/v1/jobs/createTask`,
      { method: 'POST', headers, body: JSON.stringify(body) },
      job.signal,
    )
    const answer = (await readJson(response, 'createTask')) as KieEnvelope<{ taskId?: string }>
    if (answer?.code !== 200 || !response.ok)
      throw kieError(answer?.code ?? response.status, answer?.msg)
    if (typeof answer.data?.taskId !== 'string') {
      throw new ApiError(
        'upstream_malformed',
        'The image model did not say which task it started. Your credits were refunded: try again.',
      )
    }
    return answer.data.taskId
  }

  /** The task's result URL once it has succeeded, null while it runs; throws when it failed. */
  async function check(taskId: string, signal: AbortSignal): Promise<string | null> {
    const response = await upstreamFetch(
      `${baseUrl}/api/v1/jobs/recordInfo?taskId=${encodeURIComponent(taskId)}`,
      { headers },
      signal,
    )
    const answer = (await readJson(response, 'recordInfo')) as KieEnvelope<KieRecord>
    if (answer?.code !== 200 || !answer.data)
      throw kieError(answer?.code ?? response.status, answer?.msg)
    const record = answer.data
    if (record.state === 'success') {
      try {
        const urls = (JSON.parse(record.resultJson ?? '') as { resultUrls?: unknown }).resultUrls
        if (
          Array.isArray(urls) &&
          urls.length > 0 &&
          urls.every((url): url is string => typeof url === 'string')
        )
          return urls[0]
      } catch {}
      throw new KieTaskFailed(
        'upstream_malformed',
        'The image model finished without a readable result. Your credits were refunded: try again.',
      )
    }
    if (record.state === 'fail') {
      if (looksLikePolicyBlock(record)) {
        throw new KieTaskFailed(
          'content_policy',
          "The image model's safety system blocked this request. Your credits were refunded: rephrase the prompt (or change the references) and try again.",
        )
      }
      console.error('KIE task failed', taskId, record.failCode, record.failMsg)
      throw new KieTaskFailed(
        'upstream_error',
        'The image model failed to make this image. Your credits were refunded: try again.',
      )
    }
    return null
  }

  /**
   * Copies a result at once (KIE's URLs expire) into storage as it streams in: only from the hosts
   * KIE serves results from, and no larger than an image can be.
   */
  async function copyResult(
    url: string,
    target: DecodedImageTarget,
    signal: AbortSignal,
  ): Promise<void> {
    if (!isResultHost(url, settings.resultHosts)) {
      console.error('KIE result from an unexpected host', url)
      throw new ApiError(
        'upstream_malformed',
        'The image model sent its result from an unexpected place, so it was not fetched. Your credits were refunded: let your team admin know.',
      )
    }
    // A redirect would lead elsewhere than the allowed hosts: it is not followed.
    const response = await upstreamFetch(url, { redirect: 'manual' }, signal)
    if (!response.ok || !response.body) {
      throw new ApiError(
        'upstream_error',
        'The finished image could not be downloaded from the image model. Your credits were refunded: try again.',
      )
    }
    if (!(await copyCapped(response.body, MAX_RESULT_BYTES, target))) {
      throw new ApiError(
        'upstream_malformed',
        'The image model sent a result larger than any image it makes, so it was not kept. Your credits were refunded: try again.',
      )
    }
  }

  return { create, check, copyResult }
}

/** KIE's task API: one createTask per image, polled until it succeeds or fails; result bytes copied at once. */
export function kieProvider(settings: KieSettings): ImageProvider {
  const tasks = kieTaskClient(settings)
  return {
    name: 'kie',
    async generate(job) {
      const inputUrls = await Promise.all(
        job.references.map((reference) => job.publishReference(reference)),
      )
      const results = await Promise.allSettled(
        Array.from({ length: job.n }, async (_, index) => {
          const taskId = await tasks.create(job, inputUrls).catch((error: unknown) => {
            job.onRefused?.(index)
            throw error
          })
          // KIE has the task and bills for it; it is polled to its end whoever is still listening.
          job.onAccepted({ index, taskId })
          // KIE or the network failing for a moment does not end a task KIE bills for.
          let wentWrong = 0
          const look = () =>
            tasks.check(taskId, job.signal).then(
              (url) => {
                wentWrong = 0
                return url
              },
              (error) => {
                if (job.signal.aborted || !worthAnotherLook(error) || ++wentWrong >= LOOKS_AGAIN)
                  throw error
                console.error('KIE task: will look again', taskId, error)
                return null
              },
            )
          let url = await look()
          while (url === null) {
            await abortableDelay(settings.pollIntervalMs, job.signal).catch((error) => {
              throw abortOrNetworkError(error, job.signal)
            })
            url = await look()
          }
          await tasks.copyResult(url, job.upload(index), job.signal)
        }),
      )
      const failure = results.find((result) => result.status === 'rejected')
      if (failure) throw failure.reason
    },
  }
}
