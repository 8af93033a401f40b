// Shared by the scripts that drive a local worker: the admin token from .dev.vars, and readiness.
import { randomBytes } from 'node:crypto'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..')
export const DEV_VARS = join(ROOT, 'proxy-worker/.dev.vars')

export function readDevVars() {
  if (!existsSync(DEV_VARS)) return {}
  return Object.fromEntries(
    readFileSync(DEV_VARS, 'utf8')
      .split('\n')
      .map((line) => line.match(/^\s*([A-Z0-9_]+)\s*=\s*"?(.*?)"?\s*$/))
      .filter(Boolean)
      .map((match) => [match[1], match[2]]),
  )
}

/** Makes sure local development has an admin token, keeping whatever else .dev.vars holds. */
export function ensureDevVars() {
  const vars = readDevVars()
  if (vars.ADMIN_TOKEN) return vars
  const token = `admin_${randomBytes(24).toString('base64url')}`
  const existing = existsSync(DEV_VARS) ? readFileSync(DEV_VARS, 'utf8').replace(/\n*$/, '\n') : ''
  writeFileSync(DEV_VARS, `${existing}ADMIN_TOKEN=${token}\n`)
  return { ...vars, ADMIN_TOKEN: token }
}

export async function waitForWorker(url, timeoutMs = 60_000, isAlive = () => true) {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (!isAlive()) throw new Error('the worker process exited')
    try {
      if ((await fetch(`${url}/v1/models`)).ok) return
    } catch {}
    await new Promise((done) => setTimeout(done, 300))
  }
  throw new Error(`the worker did not answer at ${url}`)
}

export async function adminRequest(url, adminToken, method, path, body) {
  const response = await fetch(`${url}${path}`, {
    method,
    headers: { Authorization: `Bearer ${adminToken}`, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  const json = await response.json().catch(() => null)
  if (!response.ok) throw new Error(json?.message ?? `HTTP ${response.status}`)
  return json.data
}
