import fc from 'fast-check'
import { expect, it } from 'vitest'
import { ErrorBodySchema } from '../../shared'
import { solidPng } from './fixtures/tiny-images'
import {
  ADMIN_TOKEN,
  callWorker,
  createTestUser,
  generate,
  jsonRequest,
  ledgerOf,
} from './worker-client'

/**
 * A standing fuzz test: 10,000 random requests across every route, mixing bad and missing tokens,
 * malformed and oversized bodies, wrong types and out-of-range numbers, hostile images and file
 * names. None may answer 5xx, every error has the one error shape (OpenAI's on its routes), no
 * balance or ledger moves, and the worker still serves a normal request afterwards.
 */
const RUNS = 10_000

const OPENAI_PATHS = ['/v1/images/generations', '/v1/images/edits']

/** Any generated value as text (objects without a prototype have no String()). */
const asText = (value: unknown) =>
  typeof value === 'string' ? value : (JSON.stringify(value) ?? '')

const hostileText = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.constantFrom(
    '',
    ' ',
    '../../etc/passwd',
    '</script><script>alert(1)</script>',
    '\u0000\u202e\ufeff',
    'a'.repeat(300_000),
    '{"__proto__":{"polluted":1}}',
    'x'.repeat(21_000),
  ),
)

const field = fc.oneof(
  hostileText,
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.constantFrom(-1, 0, 11, 2 ** 53, Number.MAX_SAFE_INTEGER),
  fc.constantFrom(
    '1:1',
    '16:9',
    '1536x864',
    '99999x99999',
    'low',
    'high',
    'png',
    'jpeg',
    'transparent',
    'gpt-image-2',
    'dall-e-3',
  ),
  fc.array(hostileText, { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 8 }), fc.string({ maxLength: 8 }), { maxKeys: 3 }),
)

const KEYS = [
  'prompt',
  'model',
  'size',
  'quality',
  'n',
  'background',
  'output_format',
  'stream',
  'seed',
  'references',
  'mask',
  'images',
  'response_format',
  'name',
  'credits',
  'delta',
  'reason',
  '__proto__',
  'constructor',
]

const jsonBody = fc.oneof(
  fc.dictionary(fc.constantFrom(...KEYS), field, { maxKeys: 6 }),
  fc.jsonValue({ maxDepth: 3 }),
  hostileText,
)

interface Hostile {
  bytes: Uint8Array
  type: string
}

const routes = fc.constantFrom(
  { method: 'POST', path: '/v1/images/generate' },
  { method: 'POST', path: '/v1/images/edit' },
  { method: 'POST', path: '/v1/images/generations' },
  { method: 'POST', path: '/v1/images/edits' },
  { method: 'POST', path: '/v1/prompts/enhance' },
  { method: 'GET', path: '/v1/account' },
  { method: 'GET', path: '/v1/models' },
  { method: 'GET', path: '/v1/images/img_aaaaaaaaaaaaaaaaaaaaaaaa' },
  { method: 'GET', path: '/v1/images/..%2F..%2Fadmin' },
  { method: 'GET', path: '/v1/generations/00000000-0000-0000-0000-000000000000' },
  { method: 'GET', path: '/v1/generations/not-an-id' },
  { method: 'POST', path: '/admin/users' },
  { method: 'GET', path: '/admin/users/u_doesnotexist123' },
  { method: 'POST', path: '/admin/users/u_doesnotexist123/credits' },
  { method: 'GET', path: '/admin/users' },
  { method: 'PATCH', path: '/admin/users/u_doesnotexist123' },
  { method: 'POST', path: '/admin/users/u_doesnotexist123/token' },
  { method: 'GET', path: '/admin/usage' },
  { method: 'GET', path: '/admin' },
  { method: 'PUT', path: '/v1/images/generate' },
  { method: 'DELETE', path: '/v1/account' },
  { method: 'GET', path: '/v1/../../etc/passwd' },
  { method: 'POST', path: '/nowhere' },
)

it(`answers ${RUNS.toLocaleString('en-US')} hostile requests without a 5xx, changing no balance`, async () => {
  const victim = await createTestUser(0)
  const real = await solidPng(24, 24)
  const images: Hostile[] = [
    { bytes: real, type: 'image/png' },
    { bytes: real.subarray(0, 30), type: 'image/png' },
    {
      bytes: new Uint8Array([
        ...real.subarray(0, 24),
        ...new TextEncoder().encode('<html></html>'),
      ]),
      type: 'image/png',
    },
    { bytes: new TextEncoder().encode('GIF89a not really'), type: 'image/gif' },
    { bytes: crypto.getRandomValues(new Uint8Array(512)), type: 'application/octet-stream' },
    { bytes: new Uint8Array(0), type: 'image/png' },
  ]
  const tokens = fc.constantFrom(
    victim.token,
    victim.token,
    victim.token,
    `${victim.token}x`,
    'pf_u_xxxxxxxxxxxx.yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy',
    ADMIN_TOKEN,
    'Bearer',
    '',
    'x'.repeat(5000),
    null,
  )
  const kinds = fc.constantFrom('json', 'json', 'form', 'text', 'none')
  const fileFields = fc.constantFrom('references', 'image', 'image[]', 'mask', 'evil')
  const fileNames = fc.constantFrom(
    'photo.png',
    '../../secret.png',
    '',
    'x'.repeat(5000),
    '\u0000.png',
    'CON',
  )

  const histogram = new Map<number, number>()
  let count = 0
  const ledgerBefore = await ledgerOf(victim.user_id)

  await fc.assert(
    fc.asyncProperty(
      routes,
      tokens,
      kinds,
      jsonBody,
      fc.array(fc.tuple(fileFields, fc.nat({ max: images.length - 1 }), fileNames), {
        maxLength: 3,
      }),
      async (route, token, kind, body, files) => {
        const headers: Record<string, string> = {}
        if (token !== null)
          headers.Authorization = token.startsWith('Bearer') ? token : `Bearer ${token}`
        let payload: BodyInit | undefined
        if (route.method !== 'GET' && kind === 'json') {
          headers['Content-Type'] = 'application/json'
          payload = typeof body === 'string' ? body : JSON.stringify(body)
        } else if (route.method !== 'GET' && kind === 'form') {
          const form = new FormData()
          // workerd's own FormData cannot send a name ending with a backslash: those are left out.
          const sendable = (name: string) => !name.endsWith('\\')
          if (body && typeof body === 'object' && !Array.isArray(body))
            for (const [key, value] of Object.entries(body))
              if (sendable(key)) form.append(key, asText(value))
          for (const [name, index, fileName] of files)
            if (sendable(fileName))
              form.append(
                name,
                new Blob([images[index].bytes], { type: images[index].type }),
                fileName,
              )
          payload = form
        } else if (route.method !== 'GET' && kind === 'text') {
          headers['Content-Type'] = 'text/plain'
          payload = asText(body)
        }
        const response = await callWorker(route.path, {
          method: route.method,
          headers,
          body: payload,
        })
        count++
        histogram.set(response.status, (histogram.get(response.status) ?? 0) + 1)
        expect(response.status, `${route.method} ${route.path}`).toBeLessThan(500)
        if (response.status >= 400) {
          const answer = await response.json()
          if (OPENAI_PATHS.includes(route.path))
            expect(answer).toMatchObject({
              error: { message: expect.any(String), type: expect.any(String) },
            })
          else ErrorBodySchema.parse(answer)
        } else await response.arrayBuffer()
      },
    ),
    { numRuns: RUNS, seed: 20261201 },
  )

  const ledgerAfter = await ledgerOf(victim.user_id)
  expect(ledgerAfter.balance).toBe(0)
  expect(ledgerAfter.ledger).toEqual(ledgerBefore.ledger)
  const summary = [...histogram.entries()]
    .sort(([a], [b]) => a - b)
    .map(([status, n]) => `${status}: ${n}`)
  console.log(`fuzz: ${count} requests; statuses ${summary.join(', ')}`)

  // And the worker still serves a normal request.
  const designer = await createTestUser(10)
  expect(
    (await generate(designer.token, { prompt: 'after the storm', quality: 'low' })).status,
  ).toBe(200)
  expect(
    (
      await callWorker(
        `/admin/users/${designer.user_id}/credits`,
        jsonRequest(ADMIN_TOKEN, { delta: 5, reason: 'still here' }),
      )
    ).status,
  ).toBe(200)
}, 600_000)
