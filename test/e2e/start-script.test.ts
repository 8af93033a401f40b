import { type ChildProcess, execFileSync, spawn } from 'node:child_process'
import { mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { ROOT } from './e2e-environment'

const WORKER_PORT = 8831
const state = mkdtempSync(join(tmpdir(), 'promptframe-start-'))
let start: ChildProcess | null = null
let output = ''
let localToken = ''

afterAll(() => {
  start?.kill('SIGTERM')
  rmSync(state, { recursive: true, force: true })
})

async function startedBanner(): Promise<string> {
  const deadline = Date.now() + 120_000
  while (Date.now() < deadline) {
    if (output.includes('Press Ctrl+C to stop.')) return output
    if (start?.exitCode !== null) throw new Error(`npm start exited:\n${output}`)
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
  throw new Error(`npm start did not finish starting:\n${output}`)
}

describe('npm start', () => {
  it('passes the worker settings of its environment to the local worker, and says which', async () => {
    start = spawn(process.execPath, ['scripts/start.mjs'], {
      cwd: ROOT,
      env: {
        ...process.env,
        WORKER_PORT: String(WORKER_PORT),
        HARNESS_PORT: '8832',
        PROMPTFRAME_STATE: state,
        PREVIEW_DELAY_MS: '1500',
        IMAGE_PROVIDER: 'preview',
        OPENAI_API_KEY: 'sk-not-shown-in-the-banner',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    start.stdout?.on('data', (chunk) => (output += chunk))
    start.stderr?.on('data', (chunk) => (output += chunk))
    const banner = await startedBanner()
    expect(banner).toContain(
      'Settings from your environment: IMAGE_PROVIDER=preview, OPENAI_API_KEY (set), PREVIEW_DELAY_MS=1500',
    )
    expect(banner).not.toContain('sk-not-shown-in-the-banner')
    expect(banner).not.toContain('Request.cf')
    const userId = banner.match(/user id (u_[A-Za-z0-9_-]+)/)?.[1]
    const token = banner.match(/Your token\s+(pf_\S+)/)?.[1]
    expect(userId).toBeDefined()
    expect(token).toContain(`pf_${userId}.`)
    expect(statSync(join(state, 'start.env')).mode & 0o777).toBe(0o600)
    // The console's address, beside the harness link, and the page answers there.
    expect(banner).toContain(`Team admin console`)
    expect(banner).toContain(`http://localhost:${WORKER_PORT}/admin`)
    expect((await fetch(`http://localhost:${WORKER_PORT}/admin`)).status).toBe(200)

    // The delay from the environment is the one the worker uses.
    const started = Date.now()
    const response = await fetch(`http://localhost:${WORKER_PORT}/v1/images/generations`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({
        prompt: 'a red kite',
        model: 'gpt-image-2',
        size: '1:1',
        quality: 'low',
      }),
    })
    expect(response.status).toBe(200)
    await response.arrayBuffer()
    expect(Date.now() - started).toBeGreaterThanOrEqual(1500)
    localToken = token!
  })

  it('brings the local worker back, with its state, when wrangler dev stops on its own', async () => {
    const wrangler = execFileSync('pgrep', ['-f', '-P', String(start!.pid), 'wrangler'], {
      encoding: 'utf8',
    })
      .trim()
      .split('\n')
      .map(Number)
    expect(wrangler).toHaveLength(1)
    process.kill(wrangler[0], 'SIGTERM')
    const account = () =>
      fetch(`http://localhost:${WORKER_PORT}/v1/account`, {
        headers: { Authorization: `Bearer ${localToken}` },
      }).then(
        (answer) => answer.status,
        () => 0,
      )
    await expect.poll(() => output, { timeout: 30_000 }).toContain('starting it again')
    await expect.poll(account, { timeout: 90_000, interval: 500 }).toBe(200)
    expect(start!.exitCode).toBeNull()
  })
})
