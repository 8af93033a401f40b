// npm start: the plugin build (watching), the worker on :8787 with local KV that survives restarts,
// a local account with credits, and the browser harness for trying the plugin without Figma.
import { spawn } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { startHarnessServer } from './harness-server.mjs'
import { adminRequest, DEV_VARS, ensureDevVars, ROOT, waitForWorker } from './local-worker.mjs'
import { watchPlugin } from './watch-plugin.mjs'
import { describeVars, envFileText, workerVarsFrom } from './worker-vars.mjs'

// WORKER_PORT and PROMPTFRAME_STATE let a second copy run beside the first (the tests do).
const WORKER_PORT = Number(process.env.WORKER_PORT ?? 8787)
const WORKER_URL = `http://localhost:${WORKER_PORT}`
const STATE = resolve(ROOT, process.env.PROMPTFRAME_STATE ?? '.wrangler/state')
const ACCOUNT_FILE = join(STATE, 'local-account.json')
const STARTING_CREDITS = 1000
const bin = (name) => join(ROOT, 'node_modules/.bin', name)
const children = []

function run(command, args, label) {
  const child = spawn(command, args, {
    cwd: ROOT,
    // Offline, wrangler cannot fetch the Request.cf sample and logs a stack trace each start.
    env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CLOUDFLARE_CF_FETCH_ENABLED: 'false' },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const prefix = (chunk) =>
    chunk
      .toString()
      .split('\n')
      .filter((line) => line.trim() && !line.includes('workers.cloudflare.com'))
      .map((line) => `[${label}] ${line}`)
      .join('\n')
  child.stdout.on('data', (chunk) => {
    const text = prefix(chunk)
    if (text) console.log(text)
  })
  child.stderr.on('data', (chunk) => {
    const text = prefix(chunk)
    if (text) console.error(text)
  })
  children.push(child)
  return child
}

let stopping = false
function stopAll(code = 0) {
  stopping = true
  stopWatchingPlugin()
  for (const child of children) child.kill('SIGTERM')
  process.exit(code)
}
process.on('SIGINT', () => stopAll())
process.on('SIGTERM', () => stopAll())

/** The local account survives restarts with the KV state; a wiped state gets a new one. */
async function ensureAccount(adminToken) {
  if (existsSync(ACCOUNT_FILE)) {
    const saved = JSON.parse(readFileSync(ACCOUNT_FILE, 'utf8'))
    const response = await fetch(`${WORKER_URL}/v1/account`, {
      headers: { Authorization: `Bearer ${saved.token}` },
    })
    if (response.ok) {
      const { name, balance } = (await response.json()).data
      return { ...saved, name, balance }
    }
  }
  const user = await adminRequest(WORKER_URL, adminToken, 'POST', '/admin/users', {
    name: 'Local designer',
    credits: STARTING_CREDITS,
  })
  mkdirSync(dirname(ACCOUNT_FILE), { recursive: true })
  writeFileSync(ACCOUNT_FILE, JSON.stringify({ user_id: user.user_id, token: user.token }, null, 2))
  return { user_id: user.user_id, token: user.token, name: user.name, balance: user.balance }
}

/** The worker settings found in this environment, for wrangler in a file only this user can read. */
function writeEnvironmentVars() {
  const vars = workerVarsFrom(process.env)
  const file = join(STATE, 'start.env')
  mkdirSync(STATE, { recursive: true })
  writeFileSync(file, `${envFileText(vars)}\n`, { mode: 0o600 })
  return { vars, file }
}

const vars = ensureDevVars()
const fromEnvironment = writeEnvironmentVars()
const stopWatchingPlugin = watchPlugin((line) => console.log(`[plugin] ${line}`))
const WRANGLER_ARGS = [
  'dev',
  '--config',
  'proxy-worker/wrangler.jsonc',
  '--port',
  String(WORKER_PORT),
  '--persist-to',
  STATE,
  // Later files win: the environment's settings over proxy-worker/.dev.vars.
  '--env-file',
  DEV_VARS,
  '--env-file',
  fromEnvironment.file,
  '--show-interactive-dev-session=false',
]
/** Restarts that came too soon after their start, in a row: after this many, give up. */
const MAX_QUICK_RESTARTS = 3
let quickRestarts = 0

/**
 * wrangler dev exits when a client drops a request before its answer (its dev proxy counts that
 * as fatal), which a plugin can do mid-upload: the local worker comes back on its own, with its
 * state, unless it keeps failing right after starting.
 */
function startWorker() {
  const startedAt = Date.now()
  const child = run(bin('wrangler'), WRANGLER_ARGS, 'worker')
  child.once('exit', (code, signal) => {
    children.splice(children.indexOf(child), 1)
    if (stopping) return
    quickRestarts = Date.now() - startedAt < 30_000 ? quickRestarts + 1 : 0
    if (quickRestarts >= MAX_QUICK_RESTARTS) {
      console.error('[worker] The local worker keeps stopping right after it starts; see above.')
      return stopAll(1)
    }
    console.error(
      `[worker] The local worker stopped unexpectedly (${code ?? signal}); starting it again, with its state.`,
    )
    worker = startWorker()
  })
  return child
}
let worker = startWorker()
await waitForWorker(WORKER_URL, 90_000, () => worker.exitCode === null)
const account = await ensureAccount(vars.ADMIN_TOKEN)
const catalog = (await (await fetch(`${WORKER_URL}/v1/models`)).json()).data.models
const provider = catalog[0]?.provider ?? 'none'
const harness = await startHarnessServer(Number(process.env.HARNESS_PORT ?? 8790))
const harnessUrl = `${harness.url}/?token=${encodeURIComponent(account.token)}&worker=${encodeURIComponent(WORKER_URL)}`

const settings = Object.keys(fromEnvironment.vars).length
  ? `  Settings from your environment: ${describeVars(fromEnvironment.vars)}`
  : '  Settings from your environment: none (PREVIEW_DELAY_MS, IMAGE_PROVIDER, OPENAI_API_KEY, KIE_API_KEY… are passed on when set)'
const realImages =
  provider === 'preview'
    ? ', offline previews; start with OPENAI_API_KEY=… or KIE_API_KEY=… for real images'
    : ''

console.log(`
Promptframe is running.

  Worker      ${WORKER_URL}  (image provider: ${provider}${realImages})
${settings}
  Account     ${account.name} · user id ${account.user_id} · ${account.balance} credits
  Your token  ${account.token}
  Admin       npm run admin -- help  (the admin token is in proxy-worker/.dev.vars)

Try it in a browser, no Figma needed:
  ${harnessUrl}

Team admin console (sign in with the admin token from proxy-worker/.dev.vars):
  ${WORKER_URL}/admin

Or in Figma desktop:
  1. Plugins → Development → Import plugin from manifest… and choose ${join(ROOT, 'manifest.json')}
  2. Run Promptframe, open Settings, keep the service address ${WORKER_URL} and paste your token.

Press Ctrl+C to stop.
`)
