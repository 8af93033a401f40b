import { SELF } from 'cloudflare:test'
import { decode } from 'fast-png'
import OpenAI, { toFile } from 'openai'
import { describe, expect, it } from 'vitest'
import { ErrorBodySchema, GenerateResponseSchema } from '../../shared'
import { fakeKie } from './fakes/fake-kie'
import { fakeOpenAi } from './fakes/fake-openai'
import { base64, jpegHeader, patternPng, solidPng } from './fixtures/tiny-images'
import {
  balanceOf,
  callWorker,
  createTestUser,
  jsonRequest,
  ledgerOf,
  OPENAI,
  useFakeUpstream,
} from './worker-client'

const KIE = {
  KIE_API_KEY: 'kie-test-key',
  KIE_BASE_URL: 'https://kie.fake',
  KIE_POLL_INTERVAL_MS: '1',
}

/** A 256×256 reference with a pattern, so kept pixels can be told from painted ones. */
const reference = () =>
  patternPng(256, 256, (x, y) => [(x * 7) % 256, (y * 11) % 256, ((x + y) * 3) % 256, 255])

/** Opaque everywhere except a transparent 64×32 box at (96, 112): the area to change. */
const AREA = { x: 96, y: 112, width: 64, height: 32 }
const inArea = (x: number, y: number) =>
  x >= AREA.x && x < AREA.x + AREA.width && y >= AREA.y && y < AREA.y + AREA.height
const mask = (width = 256, height = 256) =>
  patternPng(width, height, (x, y) => (inArea(x, y) ? [0, 0, 0, 0] : [0, 0, 0, 255]))

function editForm(files: { reference?: Uint8Array; mask?: Uint8Array }, fields = {}) {
  const form = new FormData()
  for (const [name, value] of Object.entries({
    prompt: 'a red door',
    size: '256x256',
    quality: 'low',
    ...fields,
  }))
    form.append(name, String(value))
  if (files.reference)
    form.append('references', new Blob([files.reference], { type: 'image/png' }), 'photo.png')
  if (files.mask) form.append('mask', new Blob([files.mask], { type: 'image/png' }), 'mask.png')
  return form
}

async function edit(token: string, form: FormData, overrides = {}) {
  return callWorker(
    '/v1/images/edit',
    { method: 'POST', headers: { Authorization: `Bearer ${token}` }, body: form },
    overrides,
  )
}

/** Expects a 400 that names the mask problem, and a balance and ledger left as they were. */
async function expectRefused(response: Response, userId: string, token: string, phrase: string) {
  expect(response.status).toBe(400)
  const body = ErrorBodySchema.parse(await response.json())
  expect(body.message).toContain(phrase)
  expect(await balanceOf(token)).toBe(100)
  expect((await ledgerOf(userId)).ledger).toHaveLength(1)
  return body
}

describe('masked edits', () => {
  it('refuses a mask that cannot be used, saying what to fix, and charges nothing', async () => {
    const user = await createTestUser(100)
    const cases: [FormData, string][] = [
      [editForm({ mask: mask() }), 'send that image as the first reference'],
      [editForm({ reference: reference(), mask: jpegHeader(256, 256) }), 'must be a PNG'],
      [editForm({ reference: reference(), mask: await solidPng(256, 256) }), 'no transparency'],
      [
        editForm({ reference: reference(), mask: mask(128, 128) }),
        'is 128×128 but the first reference is 256×256',
      ],
    ]
    for (const [form, phrase] of cases) {
      const body = await expectRefused(
        await edit(user.token, form),
        user.user_id,
        user.token,
        phrase,
      )
      expect(body.type).toBe('invalid_mask')
    }
    const json = await callWorker(
      '/v1/images/edit',
      jsonRequest(user.token, {
        prompt: 'a red door',
        references: [`data:image/png;base64,${base64(reference())}`],
        mask: `data:image/jpeg;base64,${base64(jpegHeader(256, 256))}`,
      }),
    )
    await expectRefused(json, user.user_id, user.token, 'data: URL of a PNG')
  })

  it('refuses a mask over 4 MB, as OpenAI does', async () => {
    const user = await createTestUser(100)
    const noise = new Uint8Array(1100 * 1000 * 4)
    for (let at = 0; at < noise.length; at += 65536)
      crypto.getRandomValues(noise.subarray(at, Math.min(noise.length, at + 65536)))
    const big = patternPng(1100, 1000, (x, y) => {
      const at = (y * 1100 + x) * 4
      return [noise[at], noise[at + 1], noise[at + 2], noise[at + 3]]
    })
    expect(big.length).toBeGreaterThan(4 * 1024 * 1024)
    const response = await edit(user.token, editForm({ reference: reference(), mask: big }))
    await expectRefused(response, user.user_id, user.token, 'must be under 4 MB')
  })

  it('forwards the mask to OpenAI as its mask part, in a request that conforms to the spec', async () => {
    const user = await createTestUser(100)
    const openai = useFakeUpstream(fakeOpenAi())
    const sent = mask()
    const response = await edit(
      user.token,
      editForm({ reference: reference(), mask: sent }),
      OPENAI,
    )
    expect(response.status).toBe(200)
    const [call] = openai.calls
    expect(call.path).toBe('/images/edits')
    expect(call.contractErrors).toEqual([])
    expect(call.files.mask).toEqual([sent])
    expect(call.body.size).toBe('256x256')
    expect(await balanceOf(user.token)).toBe(98)
  })

  it('refuses a masked edit or a transparent background on KIE before charging, naming what to set', async () => {
    const user = await createTestUser(100)
    const kie = useFakeUpstream(fakeKie())
    const masked = await edit(user.token, editForm({ reference: reference(), mask: mask() }), KIE)
    const body = await expectRefused(masked, user.user_id, user.token, 'OPENAI_API_KEY')
    expect(body.type).toBe('feature_unavailable')
    const transparent = await callWorker(
      '/v1/images/generate',
      jsonRequest(user.token, { prompt: 'a sticker', background: 'transparent' }),
      KIE,
    )
    await expectRefused(transparent, user.user_id, user.token, 'cannot make transparency')
    expect(kie.tasks.size).toBe(0)
  })

  it('sends a masked edit to OpenAI when both OpenAI and KIE are configured', async () => {
    const user = await createTestUser(100)
    const openai = useFakeUpstream(fakeOpenAi())
    const response = await edit(user.token, editForm({ reference: reference(), mask: mask() }), {
      ...KIE,
      ...OPENAI,
    })
    const { data } = GenerateResponseSchema.parse(await response.json())
    expect(data.provider).toBe('openai')
    expect(openai.calls[0].files.mask).toHaveLength(1)
  })

  it('keeps every pixel outside the mask in the preview, and paints only inside it', async () => {
    const user = await createTestUser(100)
    const source = reference()
    const response = await edit(user.token, editForm({ reference: source, mask: mask() }))
    const { data } = GenerateResponseSchema.parse(await response.json())
    const image = await SELF.fetch(data.images[0].url)
    const out = decode(new Uint8Array(await image.arrayBuffer()))
    const original = decode(source)
    expect([out.width, out.height]).toEqual([256, 256])
    let changedInside = 0
    for (let y = 0; y < 256; y++) {
      for (let x = 0; x < 256; x++) {
        const at = (y * 256 + x) * out.channels
        const from = (y * 256 + x) * original.channels
        const same = [0, 1, 2].every((c) => out.data[at + c] === original.data[from + c])
        if (inArea(x, y)) changedInside += same ? 0 : 1
        else if (!same) throw new Error(`pixel (${x}, ${y}) outside the mask changed`)
      }
    }
    expect(changedInside).toBeGreaterThan(AREA.width * AREA.height * 0.5)
  })

  it('makes real transparency for a transparent background in the preview', async () => {
    const user = await createTestUser(100)
    const response = await callWorker(
      '/v1/images/generate',
      jsonRequest(user.token, { prompt: 'a sticker', background: 'transparent', size: '256x256' }),
    )
    const { data } = GenerateResponseSchema.parse(await response.json())
    const png = decode(new Uint8Array(await (await SELF.fetch(data.images[0].url)).arrayBuffer()))
    expect(png.channels).toBe(4)
    let clear = 0
    for (let i = 3; i < png.data.length; i += 4) clear += png.data[i] === 0 ? 1 : 0
    expect(clear).toBeGreaterThan(0)
  })

  it("works with the official SDK's images.edit({ image, mask, prompt })", async () => {
    const user = await createTestUser(100)
    const openai = useFakeUpstream(fakeOpenAi())
    // The SDK unchanged; its transport reaches the worker with the OpenAI provider configured.
    const client = new OpenAI({
      apiKey: user.token,
      baseURL: 'https://worker.test/v1',
      fetch: (input, init) =>
        callWorker(new URL(String(input)).pathname, init as RequestInit, OPENAI),
      maxRetries: 0,
    })
    const sent = mask()
    const result = await client.images.edit({
      model: 'gpt-image-2',
      image: await toFile(reference(), 'photo.png', { type: 'image/png' }),
      mask: await toFile(sent, 'mask.png', { type: 'image/png' }),
      prompt: 'a red door',
      quality: 'low',
    })
    expect(result.data?.[0].b64_json).toBeTruthy()
    expect(openai.calls[0].files.mask).toEqual([sent])
    expect(openai.calls[0].contractErrors).toEqual([])
    expect(await balanceOf(user.token)).toBe(98)
  })
})
