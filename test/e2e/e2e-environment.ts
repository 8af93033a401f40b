import { type ChildProcess, spawn } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { type Browser, chromium, type Page } from 'playwright-core'
import { startHarnessServer } from '../../scripts/harness-server.mjs'
import { workerSocketUrl } from '../../scripts/worker-socket.mjs'

export const ROOT = resolve(__dirname, '../..')
export const ARTIFACTS = join(ROOT, 'test-artifacts')
export const ADMIN_TOKEN = 'e2e-admin-token-long-enough-to-be-accepted'
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'

async function waitForWorker(url: string, process: ChildProcess, output: () => string) {
  const deadline = Date.now() + 60_000
  while (Date.now() < deadline) {
    if (process.exitCode !== null) throw new Error(`wrangler dev exited:\n${output()}`)
    try {
      if ((await fetch(`${url}/v1/models`)).ok) return
    } catch {}
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
  throw new Error(`wrangler dev did not start:\n${output()}`)
}

/** The real local worker (wrangler dev, preview provider, fresh KV), the harness and Chromium. */
export async function startEnvironment(options: {
  port: number
  previewDelayMs: number
  /** More of the worker's settings, as `wrangler dev --var` gives them. */
  vars?: Record<string, string>
}) {
  mkdirSync(ARTIFACTS, { recursive: true })
  const state = mkdtempSync(join(tmpdir(), 'promptframe-e2e-'))
  let log = ''
  let stopping = false
  const wrangler = spawn(
    join(ROOT, 'node_modules/.bin/wrangler'),
    [
      'dev',
      '--config',
      'proxy-worker/wrangler.jsonc',
      '--port',
      String(options.port),
      '--ip',
      '127.0.0.1',
      '--persist-to',
      state,
      '--var',
      `ADMIN_TOKEN:${ADMIN_TOKEN}`,
      '--var',
      `PREVIEW_DELAY_MS:${options.previewDelayMs}`,
      '--var',
      'IMAGE_PROVIDER:preview',
      ...Object.entries(options.vars ?? {}).flatMap(([name, value]) => [
        '--var',
        `${name}:${value}`,
      ]),
      '--show-interactive-dev-session=false',
    ],
    {
      cwd: ROOT,
      env: {
        ...process.env,
        WRANGLER_SEND_METRICS: 'false',
        CLOUDFLARE_CF_FETCH_ENABLED: 'false',
        CI: 'true',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  )
  wrangler.stdout?.on('data', (chunk) => (log += chunk))
  wrangler.stderr?.on('data', (chunk) => (log += chunk))
  // A worker that dies mid-suite says why, instead of leaving only refused connections.
  wrangler.once('exit', (code, signal) => {
    if (stopping) return
    console.error(`wrangler dev exited (${code ?? signal}):\n${log.slice(-4000)}`)
    if (process.env.E2E_WRANGLER_LOG) writeFileSync(process.env.E2E_WRANGLER_LOG, log)
  })
  // The manifest lets a plugin in development reach localhost on any port; Figma takes no IP addresses.
  const proxyUrl = `http://localhost:${options.port}`
  await waitForWorker(proxyUrl, wrangler, () => log)
  // Straight to the workerd that runs the worker: wrangler dev's own proxy exits when a client
  // drops a request before its answer (a plugin closing mid-upload, say), which a deployed worker
  // shrugs off. The tests are about the worker and the plugin, not that dev-only hop.
  const direct = await workerSocketUrl(wrangler.pid!, options.port)
  const workerUrl = direct ? direct.replace('127.0.0.1', 'localhost') : proxyUrl
  const harness = await startHarnessServer(0)
  const browser: Browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
      '--disable-sync',
    ],
  })

  async function admin(path: string, body?: unknown) {
    const response = await fetch(`${workerUrl}${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    })
    return (
      (await response.json()) as {
        data: {
          token: string
          user_id: string
          balance: number
          ledger: { delta: number; reason: string }[]
        }
      }
    ).data
  }

  return {
    workerUrl,
    harnessUrl: harness.url,
    browser,
    createUser: (credits: number) => admin('/admin/users', { name: 'E2E designer', credits }),
    account: (userId: string) => admin(`/admin/users/${userId}`),
    /** The harness with the plugin running; `worker` overrides the saved service address. */
    async openPlugin(token: string, query = '', worker = workerUrl): Promise<Page> {
      const page = await browser.newPage({ viewport: { width: 1400, height: 860 } })
      page.on('pageerror', (error) => console.error('page error:', error.message))
      await page.goto(
        `${harness.url}/?token=${encodeURIComponent(token)}&worker=${encodeURIComponent(worker)}${query}`,
      )
      await page.waitForSelector('body[data-ready="true"]')
      await page
        .frameLocator('#plugin')
        .locator('[data-testid="generate"], [data-testid="token"]')
        .first()
        .waitFor()
      return page
    },
    async close() {
      stopping = true
      await browser.close()
      await harness.close()
      wrangler.kill('SIGTERM')
      await new Promise((resolve) => wrangler.once('exit', resolve))
      rmSync(state, { recursive: true, force: true })
    },
  }
}

export type Environment = Awaited<ReturnType<typeof startEnvironment>>
