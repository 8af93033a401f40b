// npm start: the plugin build (watching), the worker on :8787 with local KV that survives restarts,
// a local account with credits, and the browser harness for trying the plugin without Figma.
import { spawn } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { startHarnessServer } from './harness-server.mjs'
import { adminRequest, ensureDevVars, ROOT, waitForWorker } from './local-worker.mjs'
import { watchPlugin } from './watch-plugin.mjs'

const WORKER_PORT = 8787
const WORKER_URL = `http://localhost:${WORKER_PORT}`
const ACCOUNT_FILE = join(ROOT, '.wrangler/local-account.json')
const STARTING_CREDITS = 1000
const bin = (name) => join(ROOT, 'node_modules/.bin', name)
const children = []

function run(command, args, label) {
  const child = spawn(command, args, {
    cwd: ROOT,
    env: { ...process.env, WRANGLER_SEND_METRICS: 'false' },
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

function stopAll() {
  stopWatchingPlugin()
  for (const child of children) child.kill('SIGTERM')
  process.exit(0)
}
process.on('SIGINT', stopAll)
process.on('SIGTERM', stopAll)

/** The local account survives restarts with the KV state; a wiped state gets a new one. */
async function ensureAccount(adminToken) {
  if (existsSync(ACCOUNT_FILE)) {
    const saved = JSON.parse(readFileSync(ACCOUNT_FILE, 'utf8'))
    const response = await fetch(`${WORKER_URL}/v1/account`, {
      headers: { Authorization: `Bearer ${saved.token}` },
    })
    if (response.ok) return { ...saved, balance: (await response.json()).data.balance }
  }
  const user = await adminRequest(WORKER_URL, adminToken, 'POST', '/admin/users', {
    name: 'Local designer',
    credits: STARTING_CREDITS,
  })
  mkdirSync(dirname(ACCOUNT_FILE), { recursive: true })
  writeFileSync(ACCOUNT_FILE, JSON.stringify({ user_id: user.user_id, token: user.token }, null, 2))
  return { user_id: user.user_id, token: user.token, balance: user.balance }
}

const vars = ensureDevVars()
const stopWatchingPlugin = watchPlugin((line) => console.log(`[plugin] ${line}`))
const worker = run(
  bin('wrangler'),
  [
    'dev',
    '--config',
    'proxy-worker/wrangler.jsonc',
    '--port',
    String(WORKER_PORT),
    '--persist-to',
    '.wrangler/state',
    '--show-interactive-dev-session=false',
  ],
  'worker',
)
await waitForWorker(WORKER_URL, 90_000, () => worker.exitCode === null)
const account = await ensureAccount(vars.ADMIN_TOKEN)
const catalog = (await (await fetch(`${WORKER_URL}/v1/models`)).json()).data.models
const provider = catalog[0]?.provider ?? 'none'
const harness = await startHarnessServer(Number(process.env.HARNESS_PORT ?? 8790))
const harnessUrl = `${harness.url}/?token=${encodeURIComponent(account.token)}&worker=${encodeURIComponent(WORKER_URL)}`

console.log(`
Promptframe is running.

  Worker      ${WORKER_URL}  (image provider: ${provider}${provider === 'preview' ? ', offline previews; set OPENAI_API_KEY or KIE_API_KEY in proxy-worker/.dev.vars for real images' : ''})
  Your token  ${account.token}  (${account.balance} credits)
  Admin token in proxy-worker/.dev.vars (npm run admin -- help)

Try it in a browser, no Figma needed:
  ${harnessUrl}

Or in Figma desktop:
  1. Plugins → Development → Import plugin from manifest… and choose ${join(ROOT, 'manifest.json')}
  2. Run Promptframe, open Settings, keep the service address ${WORKER_URL} and paste your token.

Press Ctrl+C to stop.
`)
