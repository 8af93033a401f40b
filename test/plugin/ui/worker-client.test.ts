import { afterEach, describe, expect, it, vi } from 'vitest'
import { trimHistory } from '../../../plugin/main-thread/history-store'
import type { HistoryEntry } from '../../../plugin/types'
import { DEFAULT_SETTINGS } from '../../../plugin/types'
import { ApiFailure } from '../../../plugin/ui/api/api-failure'
import { fetchAccount, fetchCatalog } from '../../../plugin/ui/api/worker-api'
import { describeFailure } from '../../../plugin/ui/describe-failure'
import { needsConversion } from '../../../plugin/ui/prepare-for-figma'

afterEach(() => {
  vi.restoreAllMocks()
})

const settings = {
  ...DEFAULT_SETTINGS,
  workerUrl: 'https://promptframe.example/',
  token: 'pf_token',
}

async function failureOf(promise: Promise<unknown>): Promise<ApiFailure> {
  const error = await promise.then(
    () => null,
    (caught) => caught,
  )
  expect(error).toBeInstanceOf(ApiFailure)
  return error as ApiFailure
}

describe('the worker client', () => {
  it('asks for a token before calling anything that needs one', async () => {
    const failure = await failureOf(fetchAccount({ ...settings, token: '  ' }))
    expect(failure.type).toBe('not_configured')
    expect(describeFailure(failure)).toContain('Add your Promptframe token in Settings')
  })

  it('says the service cannot be reached when the network is down', async () => {
    vi.spyOn(globalThis, 'fetch').mockRejectedValue(new TypeError('Failed to fetch'))
    const failure = await failureOf(fetchCatalog(settings))
    expect(failure.type).toBe('network')
    expect(describeFailure(failure)).toContain(
      "Can't reach the Promptframe service at https://promptframe.example/",
    )
  })

  it("passes the worker's own message on, and rewords a refused token", async () => {
    vi.spyOn(globalThis, 'fetch').mockResolvedValueOnce(
      Response.json(
        {
          code: 40006,
          type: 'content_policy',
          message:
            "The image model's safety system blocked this request. Your credits were refunded: rephrase the prompt.",
        },
        { status: 400 },
      ),
    )
    expect(describeFailure(await failureOf(fetchAccount(settings)))).toContain(
      'rephrase the prompt',
    )
    vi.spyOn(globalThis, 'fetch').mockResolvedValueOnce(
      Response.json({ code: 40101, type: 'unauthorized', message: 'x' }, { status: 401 }),
    )
    expect(describeFailure(await failureOf(fetchAccount(settings)))).toContain(
      'Your token was not accepted',
    )
  })

  it('calls the worker with the token, without a doubled slash', async () => {
    const fetchSpy = vi.spyOn(globalThis, 'fetch').mockResolvedValue(
      Response.json({
        code: 0,
        message: 'ok',
        data: { user_id: 'u', name: 'n', balance: 5, recent_usage: [] },
      }),
    )
    expect((await fetchAccount(settings)).balance).toBe(5)
    const [url, init] = fetchSpy.mock.calls[0]
    expect(url).toBe('https://promptframe.example/v1/account')
    expect(new Headers(init?.headers).get('Authorization')).toBe('Bearer pf_token')
  })
})

describe('images for figma.createImage', () => {
  it('re-encodes only what Figma cannot take: WebP, or more than 4096 px a side', () => {
    expect(needsConversion('image/png', 3840, 2160)).toBe(false)
    expect(needsConversion('image/jpeg', 4096, 4096)).toBe(false)
    expect(needsConversion('image/webp', 1024, 1024)).toBe(true)
    expect(needsConversion('image/png', 4097, 1000)).toBe(true)
  })
})

describe('history', () => {
  const entry = (id: number, thumbnailBytes: number): HistoryEntry => ({
    id: String(id),
    createdAt: '',
    provenance: {
      prompt: 'p',
      model: 'gpt-image-2',
      size: '1:1',
      quality: 'low',
      requestId: 'r',
      provider: 'preview',
      preview: true,
    },
    imageHash: 'h',
    width: 1,
    height: 1,
    thumbnail: new Uint8Array(thumbnailBytes),
  })

  it('keeps the newest 40 entries within its byte budget, well under clientStorage’s 5 MB', () => {
    expect(trimHistory(Array.from({ length: 60 }, (_, i) => entry(i, 1000)))).toHaveLength(40)
    const big = trimHistory(Array.from({ length: 40 }, (_, i) => entry(i, 300_000)))
    expect(big.length).toBeLessThan(8)
    expect(big[0].id).toBe('0')
  })
})
