import { createExecutionContext, env, waitOnExecutionContext } from 'cloudflare:test'
import { deflateSync } from 'fflate'
import { describe, expect, it, vi } from 'vitest'
import type { Env } from '../../proxy-worker/src/env'
import app from '../../proxy-worker/src/index'
import { ErrorBodySchema, GenerateResponseSchema } from '../../shared'
import { fakeKie } from './fakes/fake-kie'
import { fakeOpenAi } from './fakes/fake-openai'
import { solidPng } from './fixtures/tiny-images'
import {
  ADMIN_TOKEN,
  balanceOf,
  callWorker,
  createTestUser,
  generate,
  jsonRequest,
  ledgerOf,
  OPENAI,
  useFakeUpstream,
} from './worker-client'

/** What an adversarial review sent, and what now happens to it: each refused before any charge. */

const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
  return c >>> 0
})
const crc = (bytes: Uint8Array) => {
  let c = 0xffffffff
  for (const byte of bytes) c = crcTable[(c ^ byte) & 0xff] ^ (c >>> 8)
  return (c ^ 0xffffffff) >>> 0
}
function pngChunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length)
  const view = new DataView(out.buffer)
  view.setUint32(0, data.length)
  out.set(new TextEncoder().encode(type), 4)
  out.set(data, 8)
  view.setUint32(8 + data.length, crc(out.subarray(4, 8 + data.length)))
  return out
}
const concat = (...parts: Uint8Array[]) => {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0))
  let at = 0
  for (const part of parts) {
    out.set(part, at)
    at += part.length
  }
  return out
}
const SIGNATURE = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])

/** A valid-looking PNG that declares 100000×100000 and carries a zlib bomb. */
function pngBomb(): Uint8Array {
  const header = new Uint8Array(13)
  const view = new DataView(header.buffer)
  view.setUint32(0, 100_000)
  view.setUint32(4, 100_000)
  header.set([8, 2, 0, 0, 0], 8)
  const payload = deflateSync(new Uint8Array(4 * 1024 * 1024), { level: 9 })
  return concat(
    SIGNATURE,
    pngChunk('IHDR', header),
    pngChunk('IDAT', payload),
    pngChunk('IEND', new Uint8Array()),
  )
}

/** A WebP VP8X header declaring 16M × 16M. */
function webpGiant(): Uint8Array {
  const bytes = new Uint8Array(40)
  const text = (at: number, value: string) => bytes.set(new TextEncoder().encode(value), at)
  text(0, 'RIFF')
  new DataView(bytes.buffer).setUint32(4, 32, true)
  text(8, 'WEBPVP8X')
  new DataView(bytes.buffer).setUint32(16, 10, true)
  bytes.set([0xff, 0xff, 0xff], 24)
  bytes.set([0xff, 0xff, 0xff], 27)
  return bytes
}

async function edit(token: string, file: Uint8Array, name = 'photo.png', overrides = {}) {
  const form = new FormData()
  form.append('prompt', 'restyle')
  form.append('quality', 'low')
  form.append('references', new Blob([file], { type: 'image/png' }), name)
  return callWorker(
    '/v1/images/edit',
    { method: 'POST', headers: { Authorization: `Bearer ${token}` }, body: form },
    overrides,
  )
}

async function expectRefused(response: Response, status: number, phrase: string) {
  expect(response.status).toBe(status)
  const body = ErrorBodySchema.parse(await response.json())
  expect(body.message).toContain(phrase)
  return body
}

describe('references that only look like images', () => {
  it('refuses a small PNG declaring 100000×100000, naming the file and the limit', async () => {
    const user = await createTestUser(100)
    const body = await expectRefused(
      await edit(user.token, pngBomb(), 'bomb.png'),
      400,
      '100000×100000 pixels',
    )
    expect(body.message).toContain('(bomb.png)')
    expect(body.message).toContain('8192 px a side')
    expect(await balanceOf(user.token)).toBe(100)
  })

  it('refuses a WebP declaring 16M × 16M', async () => {
    const user = await createTestUser(100)
    await expectRefused(await edit(user.token, webpGiant(), 'giant.webp'), 400, '16777216×16777216')
    expect(await balanceOf(user.token)).toBe(100)
  })

  it('refuses a PNG header followed by HTML, and a PNG cut short', async () => {
    const user = await createTestUser(100)
    const real = await solidPng(64, 64)
    const html = concat(
      real.subarray(0, 24),
      new TextEncoder().encode('<html><script>alert(1)</script></html>'),
    )
    await expectRefused(await edit(user.token, html), 400, 'not a complete PNG image')
    await expectRefused(
      await edit(user.token, real.subarray(0, real.length - 4)),
      400,
      'not a complete PNG',
    )
    expect((await edit(user.token, real)).status).toBe(200)
  })
})

describe('a body over its limit without Content-Length', () => {
  /** A chunked body of `total` bytes (endless when Infinity), noting how much was pulled and whether it was cut off. */
  function chunked(total: number) {
    const state = { sent: 0, cancelled: false }
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (state.sent >= total) return controller.close()
        state.sent += 64 * 1024
        controller.enqueue(new Uint8Array(64 * 1024).fill(0x20))
      },
      cancel() {
        state.cancelled = true
      },
    })
    return { stream, state }
  }
  const post = (token: string, body: ReadableStream) =>
    callWorker('/v1/images/generate', {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body,
      duplex: 'half',
    } as RequestInit)

  it('is refused with 413 after being read to its end, so the connection stays sound', async () => {
    const user = await createTestUser(100)
    const { stream, state } = chunked(320 * 1024)
    await expectRefused(await post(user.token, stream), 413, 'larger than 256 KB')
    expect([state.sent, state.cancelled]).toEqual([320 * 1024, false])
    expect((await generate(user.token, { prompt: 'after', quality: 'low' })).status).toBe(200)
  })

  it('is cut off once it runs far past the limit, and the worker keeps serving', async () => {
    const user = await createTestUser(100)
    const { stream, state } = chunked(Number.POSITIVE_INFINITY)
    await expectRefused(await post(user.token, stream), 413, 'larger than 256 KB')
    expect(state.cancelled).toBe(true)
    expect(state.sent).toBeLessThan(9 * 1024 * 1024)
    expect((await generate(user.token, { prompt: 'after', quality: 'low' })).status).toBe(200)
  })
})

describe('Enhance', () => {
  it('allows 30 a minute per designer, then a 429 says when to retry', async () => {
    const user = await createTestUser(5)
    const enhance = () =>
      callWorker('/v1/prompts/enhance', jsonRequest(user.token, { prompt: 'a cat' }))
    for (let i = 0; i < 30; i++) expect((await enhance()).status).toBe(200)
    const limited = await enhance()
    await expectRefused(limited, 429, 'Try again in')
    expect(Number(limited.headers.get('Retry-After'))).toBeGreaterThan(0)
    expect(await balanceOf(user.token)).toBe(5)
  })

  it('is refused at a balance of 0, saying why', async () => {
    const user = await createTestUser(0)
    const response = await callWorker(
      '/v1/prompts/enhance',
      jsonRequest(user.token, { prompt: 'a cat' }),
    )
    await expectRefused(response, 402, 'Enhance is free while you have credits')
  })

  it('caps the text model’s answer', async () => {
    const user = await createTestUser(5)
    const spy = vi.spyOn(globalThis, 'fetch').mockResolvedValue(Response.json({ choices: [] }))
    await callWorker('/v1/prompts/enhance', jsonRequest(user.token, { prompt: 'a cat' }), OPENAI)
    const sent = JSON.parse(String(spy.mock.calls[0][1]?.body))
    expect(sent.max_completion_tokens).toBeGreaterThan(0)
    expect(sent.max_completion_tokens).toBeLessThanOrEqual(2000)
  })
})

describe('image URLs', () => {
  it('never come from the Host header: without PUBLIC_BASE_URL only loopback is trusted', async () => {
    const user = await createTestUser(100)
    const at = async (origin: string) => {
      const ctx = createExecutionContext()
      const response = await app.fetch(
        new Request(
          `${origin}/v1/images/generate`,
          jsonRequest(user.token, { prompt: 'x', quality: 'low' }),
        ),
        { ...(env as unknown as Env), PUBLIC_BASE_URL: '' },
        ctx,
      )
      await waitOnExecutionContext(ctx)
      return response
    }
    await expectRefused(await at('https://evil.example'), 503, 'PUBLIC_BASE_URL')
    expect(await balanceOf(user.token)).toBe(100)
    const { data } = GenerateResponseSchema.parse(await (await at('http://localhost:8787')).json())
    expect(data.images[0].url.startsWith('http://localhost:8787/v1/images/')).toBe(true)
  })

  it('are served with nosniff and a cache life within their expiry', async () => {
    const user = await createTestUser(100)
    const response = await generate(
      user.token,
      { prompt: 'x', quality: 'low' },
      { IMAGE_TTL_SECONDS: '120' },
    )
    const { data } = GenerateResponseSchema.parse(await response.json())
    const image = await callWorker(new URL(data.images[0].url).pathname)
    expect(image.headers.get('X-Content-Type-Options')).toBe('nosniff')
    const maxAge = Number(/max-age=(\d+)/.exec(image.headers.get('Cache-Control') ?? '')?.[1])
    expect(maxAge).toBeLessThanOrEqual(120)
  })
})

describe('outbound requests', () => {
  it('fetch KIE results only from KIE’s hosts, and refund a result from anywhere else', async () => {
    const user = await createTestUser(100)
    useFakeUpstream(fakeKie('success', 'https://kie.fake'))
    const kie = {
      KIE_API_KEY: 'kie-test-key',
      KIE_BASE_URL: 'https://api.kie.example',
      KIE_POLL_INTERVAL_MS: '1',
      KIE_RESULT_HOSTS: 'files.kie.example',
    }
    const response = await generate(user.token, { prompt: 'x', quality: 'low' }, kie)
    await expectRefused(response, 502, 'unexpected place')
    expect(await balanceOf(user.token)).toBe(100)
  })

  it('keep the upstream’s own error text out of the answer', async () => {
    const user = await createTestUser(100)
    useFakeUpstream(
      fakeOpenAi({ kind: 'error', status: 400, code: null, message: 'SECRET upstream internals' }),
    )
    const response = await generate(user.token, { prompt: 'x', quality: 'low' }, OPENAI)
    expect(response.status).toBe(502)
    expect(await response.text()).not.toContain('SECRET')
    expect((await ledgerOf(user.user_id)).balance).toBe(100)
  })

  it('name references reference-N.ext, never the client’s file names', async () => {
    const user = await createTestUser(100)
    const openai = useFakeUpstream(fakeOpenAi())
    await edit(user.token, await solidPng(32, 32), 'Acme confidential roadmap.png', OPENAI)
    expect(openai.calls[0].fileNames).toEqual(['reference-1.png'])
  })
})

describe('the admin token', () => {
  it('turns admin access off when shorter than 32 characters, saying so', async () => {
    const response = await callWorker(
      '/admin/users',
      { headers: { Authorization: 'Bearer short-token' } },
      { ADMIN_TOKEN: 'short-token' },
    )
    await expectRefused(response, 401, 'shorter than 32 characters')
    const ok = await callWorker('/admin/users', jsonRequest(ADMIN_TOKEN, { name: 'x', credits: 1 }))
    expect(ok.status).toBe(201)
  })
})
