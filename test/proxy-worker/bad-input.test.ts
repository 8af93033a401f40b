import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { ErrorBodySchema, MAX_JSON_BODY_BYTES } from '../../shared'
import { base64, jpegHeader, solidPng } from './fixtures/tiny-images'
import {
  ADMIN_TOKEN,
  balanceOf,
  callWorker,
  createTestUser,
  generate,
  jsonRequest,
  ledgerOf,
} from './worker-client'

async function expectError(response: Response, status: number, type: string) {
  expect(response.status).toBe(status)
  const body = ErrorBodySchema.parse(await response.json())
  expect(body.type).toBe(type)
  expect(body.message.length).toBeGreaterThan(10)
  return body
}

describe('bad input gets a clear 4xx and changes nothing', () => {
  const cases: [string, unknown, string][] = [
    ['a missing prompt', { size: '1:1' }, 'prompt'],
    ['an empty prompt', { prompt: '   ' }, 'prompt'],
    ['a prompt over 20,000 characters', { prompt: 'a'.repeat(20_001) }, '20,000'],
    ['an unknown model', { prompt: 'x', model: 'dall-e-9' }, 'model'],
    ['an unknown size', { prompt: 'x', size: '7:5' }, 'Size'],
    ['a size not divisible by 16', { prompt: 'x', size: '1000x1000' }, '16'],
    ['a size beyond 3:1', { prompt: 'x', size: '3840x1024' }, '1:3'],
    ['a size over the maximum', { prompt: 'x', size: '4096x2304' }, '3840'],
    ['an unknown quality', { prompt: 'x', quality: 'ultra' }, 'Quality'],
    ['an unknown format', { prompt: 'x', output_format: 'gif' }, 'Format'],
    ['n of 0', { prompt: 'x', n: 0 }, 'at least 1'],
    ['n of 11', { prompt: 'x', n: 11 }, 'at most 10'],
    ['a fractional n', { prompt: 'x', n: 1.5 }, 'whole number'],
    [
      'transparent with jpeg',
      { prompt: 'x', background: 'transparent', output_format: 'jpeg' },
      'JPEG',
    ],
    ['an unknown field', { prompt: 'x', colour: 'red' }, 'colour'],
    ['an array body', [1, 2], 'JSON object'],
  ]

  for (const [name, body, hint] of cases) {
    it(`refuses ${name}`, async () => {
      const user = await createTestUser(100)
      const error = await expectError(await generate(user.token, body), 400, 'invalid_request')
      expect(error.message).toContain(hint)
      expect(await balanceOf(user.token)).toBe(100)
    })
  }

  it('refuses a body that is not JSON', async () => {
    const user = await createTestUser(100)
    await expectError(await generate(user.token, '{"prompt": "x",'), 400, 'invalid_json')
    expect(await balanceOf(user.token)).toBe(100)
  })

  it('refuses a body that is not declared as JSON with 415', async () => {
    const user = await createTestUser(100)
    const response = await callWorker('/v1/images/generate', {
      method: 'POST',
      headers: { Authorization: `Bearer ${user.token}`, 'Content-Type': 'text/plain' },
      body: JSON.stringify({ prompt: 'x' }),
    })
    await expectError(response, 415, 'unsupported_media_type')
  })

  it('refuses a body over the documented limit with 413', async () => {
    const user = await createTestUser(100)
    const response = await generate(user.token, {
      prompt: 'x',
      padding: 'y'.repeat(MAX_JSON_BODY_BYTES),
    })
    await expectError(response, 413, 'payload_too_large')
    expect(await balanceOf(user.token)).toBe(100)
  })

  it('refuses a missing token and an unknown token with 401', async () => {
    await expectError(await generate('', { prompt: 'x' }), 401, 'unauthorized')
    await expectError(await generate('pf_not-a-real-token', { prompt: 'x' }), 401, 'unauthorized')
    await expectError(await callWorker('/v1/account'), 401, 'unauthorized')
  })

  it('refuses a wrong or missing admin token', async () => {
    await expectError(
      await callWorker('/admin/users', jsonRequest('wrong', { name: 'x', credits: 5 })),
      401,
      'admin_unauthorized',
    )
    await expectError(
      await callWorker('/admin/users', jsonRequest(null, { name: 'x', credits: 5 })),
      401,
      'admin_unauthorized',
    )
  })

  it('refuses a ledger page that is not a whole number in range, saying what fits', async () => {
    const user = await createTestUser(10)
    for (const query of ['entries=0', 'entries=1001', 'entries=ten', 'before=-1', 'before=1.5']) {
      const body = await expectError(
        await callWorker(`/admin/users/${user.user_id}?${query}`, {
          headers: { Authorization: `Bearer ${ADMIN_TOKEN}` },
        }),
        400,
        'invalid_request',
      )
      expect(body.message).toMatch(query.startsWith('entries') ? /from 1 to 1000/ : /0 or more/)
    }
  })

  it('answers an unknown route with the error shape', async () => {
    await expectError(await callWorker('/v1/nothing-here'), 404, 'not_found')
  })
})

function editForm(fields: Record<string, string>, files: [Blob, string][] = []) {
  const form = new FormData()
  for (const [name, value] of Object.entries(fields)) form.append(name, value)
  for (const [blob, name] of files) form.append('references', blob, name)
  return form
}

const postForm = (token: string, form: FormData) =>
  callWorker('/v1/images/edit', {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}` },
    body: form,
  })

describe('a form that is not UTF-8 text', () => {
  const boundary = 'promptframe-boundary'
  const rawForm = (head: string, body: Uint8Array) =>
    new Uint8Array([
      ...new TextEncoder().encode(`--${boundary}\r\n${head}\r\n\r\n`),
      ...body,
      ...new TextEncoder().encode(`\r\n--${boundary}--\r\n`),
    ])
  const post = (token: string, body: Uint8Array) =>
    callWorker('/v1/images/edit', {
      method: 'POST',
      headers: {
        Authorization: `Bearer ${token}`,
        'Content-Type': `multipart/form-data; boundary=${boundary}`,
      },
      body,
    })

  it('is refused with 400, charging nothing, for a field whose text is not UTF-8', async () => {
    const user = await createTestUser(100)
    const body = rawForm(
      'Content-Disposition: form-data; name="prompt"',
      new Uint8Array([0x61, 0xff, 0xfe, 0x62]),
    )
    const error = await expectError(await post(user.token, body), 400, 'invalid_request')
    expect(error.message).toContain('UTF-8')
    expect(await balanceOf(user.token)).toBe(100)
  })

  it('is refused with 400, charging nothing, for a part header that is not UTF-8', async () => {
    const user = await createTestUser(100)
    const head = new Uint8Array([
      ...new TextEncoder().encode('Content-Disposition: form-data; name="pr'),
      0xff,
      ...new TextEncoder().encode('ompt"'),
    ])
    const body = new Uint8Array([
      ...new TextEncoder().encode(`--${boundary}\r\n`),
      ...head,
      ...new TextEncoder().encode(`\r\n\r\nhello\r\n--${boundary}--\r\n`),
    ])
    await expectError(await post(user.token, body), 400, 'invalid_request')
    expect(await balanceOf(user.token)).toBe(100)
  })
})

describe('bad references', () => {
  const dataUrl = (bytes: Uint8Array, type = 'image/png') => `data:${type};base64,${base64(bytes)}`

  it('refuses more than 16 references', async () => {
    const user = await createTestUser(100)
    const reference = dataUrl(await solidPng(8, 8))
    const response = await callWorker(
      '/v1/images/edit',
      jsonRequest(user.token, { prompt: 'x', references: Array(17).fill(reference) }),
    )
    await expectError(response, 400, 'invalid_request')
    expect(await balanceOf(user.token)).toBe(100)
  })

  it('refuses an edit without references', async () => {
    const user = await createTestUser(100)
    await expectError(
      await callWorker('/v1/images/edit', jsonRequest(user.token, { prompt: 'x', references: [] })),
      400,
      'invalid_request',
    )
    await expectError(
      await postForm(user.token, editForm({ prompt: 'x' })),
      400,
      'invalid_reference',
    )
  })

  it('refuses a file that only claims to be an image', async () => {
    const user = await createTestUser(100)
    const form = editForm({ prompt: 'x' }, [
      [new Blob(['not an image at all'], { type: 'image/png' }), 'fake.png'],
    ])
    const error = await expectError(await postForm(user.token, form), 400, 'invalid_reference')
    expect(error.message).toContain('Reference 1')
    expect(await balanceOf(user.token)).toBe(100)
  })

  it('refuses a reference over 10 MB', async () => {
    const user = await createTestUser(100)
    const big = new Uint8Array(10 * 1024 * 1024 + 1)
    big.set(jpegHeader(100, 100))
    const form = editForm({ prompt: 'x' }, [[new Blob([big], { type: 'image/jpeg' }), 'big.jpg']])
    await expectError(await postForm(user.token, form), 400, 'invalid_reference')
  })

  it('caps a JSON edit at 20 MB, pointing to multipart, where files may be larger', async () => {
    const user = await createTestUser(100)
    const dataUrl = `data:image/jpeg;base64,${'A'.repeat(21 * 1024 * 1024)}`
    const response = await callWorker(
      '/v1/images/edit',
      jsonRequest(user.token, { prompt: 'x', references: [dataUrl] }),
    )
    const body = await expectError(response, 413, 'payload_too_large')
    expect(body.message).toContain('larger than 20 MB')
    expect(body.message).toContain('multipart/form-data')
    expect(await balanceOf(user.token)).toBe(100)
  })

  it('refuses an edit body of another content type with 415', async () => {
    const user = await createTestUser(100)
    const response = await callWorker('/v1/images/edit', {
      method: 'POST',
      headers: { Authorization: `Bearer ${user.token}`, 'Content-Type': 'text/plain' },
      body: 'hello',
    })
    await expectError(response, 415, 'unsupported_media_type')
  })

  it('accepts references as multipart files and as data: URLs', async () => {
    const user = await createTestUser(100)
    const png = await solidPng(16, 16)
    const json = await callWorker(
      '/v1/images/edit',
      jsonRequest(user.token, { prompt: 'restyle', quality: 'low', references: [dataUrl(png)] }),
    )
    expect(json.status).toBe(200)
    const form = editForm({ prompt: 'restyle', quality: 'low', n: '2' }, [
      [new Blob([png], { type: 'image/png' }), 'a.png'],
    ])
    const multipart = await postForm(user.token, form)
    expect(multipart.status).toBe(200)
    expect(((await multipart.json()) as { data: { images: unknown[] } }).data.images).toHaveLength(
      2,
    )
    expect(await balanceOf(user.token)).toBe(100 - 2 - 4)
  })
})

describe('random bodies', () => {
  it('never produce a 5xx and never move a credit unless they succeed', async () => {
    const user = await createTestUser(1_000_000)
    const field = fc.oneof(
      fc.string(),
      fc.integer(),
      fc.double(),
      fc.boolean(),
      fc.constant(null),
      fc.constantFrom(
        '1:1',
        '16:9',
        '1536x864',
        'low',
        'high',
        'png',
        'jpeg',
        'transparent',
        'gpt-image-2',
      ),
      fc.array(fc.string(), { maxLength: 3 }),
    )
    const body = fc.oneof(
      fc.dictionary(
        fc.constantFrom(
          'prompt',
          'model',
          'size',
          'quality',
          'n',
          'background',
          'output_format',
          'stream',
          'seed',
          'extra',
        ),
        field,
      ),
      fc.jsonValue(),
      fc.string(),
    )
    await fc.assert(
      fc.asyncProperty(body, async (candidate) => {
        const before = (await ledgerOf(user.user_id)).balance
        const raw = typeof candidate === 'string' ? candidate : JSON.stringify(candidate)
        const response = await generate(user.token, raw)
        expect(response.status).toBeLessThan(500)
        const after = (await ledgerOf(user.user_id)).balance
        if (response.status !== 200) {
          expect(after).toBe(before)
          ErrorBodySchema.parse(await response.json())
        } else {
          await response.arrayBuffer()
        }
      }),
      { numRuns: 120, seed: 20261121 },
    )
  }, 60_000)

  it('admin routes never answer 5xx to random bodies', async () => {
    await fc.assert(
      fc.asyncProperty(fc.jsonValue(), async (candidate) => {
        const response = await callWorker(
          '/admin/users',
          jsonRequest(ADMIN_TOKEN, JSON.stringify(candidate)),
        )
        expect(response.status).toBeLessThan(500)
      }),
      { numRuns: 60, seed: 7 },
    )
  })
})
