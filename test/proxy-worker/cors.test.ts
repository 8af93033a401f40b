import { describe, expect, it } from 'vitest'
import { callWorker, createTestUser, generate } from './worker-client'

describe('CORS for the plugin iframe (Origin: null)', () => {
  it('answers a preflight with 204 and the allowed headers', async () => {
    const response = await callWorker('/v1/images/generate', {
      method: 'OPTIONS',
      headers: {
        Origin: 'null',
        'Access-Control-Request-Method': 'POST',
        'Access-Control-Request-Headers': 'authorization,content-type,idempotency-key',
      },
    })
    expect(response.status).toBe(204)
    expect(response.headers.get('access-control-allow-origin')).toBe('*')
    const allowed = (response.headers.get('access-control-allow-headers') ?? '').toLowerCase()
    for (const header of ['authorization', 'content-type', 'idempotency-key'])
      expect(allowed).toContain(header)
    expect(response.headers.get('access-control-allow-credentials')).toBeNull()
  })

  it('puts the CORS header on successes and on errors alike', async () => {
    const user = await createTestUser(100)
    const ok = await generate(user.token, { prompt: 'cors', quality: 'low' })
    const unauthorized = await callWorker('/v1/account', { headers: { Origin: 'null' } })
    const invalid = await generate(user.token, { prompt: '' })
    const missing = await callWorker('/v1/nowhere', { headers: { Origin: 'null' } })
    for (const response of [ok, unauthorized, invalid, missing]) {
      expect(response.headers.get('access-control-allow-origin')).toBe('*')
    }
    expect([ok.status, unauthorized.status, invalid.status, missing.status]).toEqual([
      200, 401, 400, 404,
    ])
  })

  it('gives the admin routes no CORS: the team console is served from the worker itself', async () => {
    const preflight = await callWorker('/admin/users', {
      method: 'OPTIONS',
      headers: { Origin: 'https://elsewhere.example', 'Access-Control-Request-Method': 'POST' },
    })
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull()
    const answer = await callWorker('/admin/users', {
      headers: { Origin: 'https://elsewhere.example' },
    })
    expect(answer.headers.get('access-control-allow-origin')).toBeNull()
  })
})
