// npm run bench: figures, not pass/fail. Prints
//  0. the worker against a floor worker that does only the unavoidable I/O, in one workerd, with
//     open-loop arrivals at 1, 10 and 50 in flight (bench-floor.mjs): the primary view;
//  1. the worker's added latency over calling a fake upstream directly (p50, p99) at 1, 10 and 50
//     concurrent clients in lockstep, through wrangler dev, and whether metering stayed exact;
//  2. the gzip sizes of build/ui.js and build/main.js against their targets;
//  3. the bytes the plugin sends for one reference exported from a 4000 px frame;
//  4. how much memory large answers and a large edit take, in the worker's workerd and in the
//     worker's own isolate (bench-memory.mjs).
// `npm run bench -- floor` (or worker, sizes, reference, memory) runs only that part.
import { spawn, spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { cpus, tmpdir } from 'node:os'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { chromium } from 'playwright-core'
import { benchAgainstFloor } from './bench-floor.mjs'
import { benchMemory } from './bench-memory.mjs'
import {
  BENCH_ADMIN_TOKEN as ADMIN_TOKEN,
  paddedPng,
  percentile,
  processTree,
  startFakeUpstream,
  TINY_PNG,
  timed,
} from './bench-support.mjs'
import { startHarnessServer } from './harness-server.mjs'
import { adminRequest, ROOT, waitForWorker } from './local-worker.mjs'
import { workerSocketUrl } from './worker-socket.mjs'

const UPSTREAM_DELAY_MS = Number(process.env.BENCH_UPSTREAM_DELAY_MS ?? 100)
const WORKER_PORT = 8799
const LEVELS = [
  { clients: 1, requests: 200, label: '1' },
  // As the plugin sends its requests: each with an Idempotency-Key of its own.
  { clients: 1, requests: 200, label: '1 keyed', keyed: true },
  // Straight to the workerd that runs the worker, past wrangler dev's proxy (a dev-only hop).
  { clients: 1, requests: 200, label: '1 no proxy', pastProxy: true },
  { clients: 10, requests: 400, label: '10' },
  { clients: 50, requests: 1000, label: '50' },
]
// BENCH_CLIENTS=1,10 runs only those levels.
const ONLY_LEVELS = process.env.BENCH_CLIENTS?.split(',')
// BENCH_IMAGE_KB=1500 pads the tiny PNG with random bytes to the size of a real 1024×1024 image.
const IMAGE_KB = Number(process.env.BENCH_IMAGE_KB ?? 0)
const IMAGE_B64 = IMAGE_KB > 0 ? paddedPng(IMAGE_KB) : TINY_PNG

/**
 * CPU time so far of wrangler dev's workerd processes, by role: the one that runs the dev proxy,
 * and the one that runs the worker with the local KV and R2 simulators.
 */
function wranglerCpu(rootPid) {
  const tree = processTree(rootPid)
  const roles = { proxy: 0, worker: 0 }
  for (const process of tree) {
    if (!process.command.includes('workerd')) continue
    if (process.command.includes(`entry=127.0.0.1:${WORKER_PORT} `)) roles.proxy += process.cpuMs
    else roles.worker += process.cpuMs
  }
  return roles
}

/** Busy and total CPU time of the whole machine so far, in ticks. */
function machineCpu() {
  const ticks = readFileSync('/proc/stat', 'utf8')
    .split('\n')[0]
    .trim()
    .split(/\s+/)
    .slice(1)
    .map(Number)
  const idle = ticks[3] + ticks[4]
  const total = ticks.reduce((sum, value) => sum + value, 0)
  return { busy: total - idle, total }
}

/**
 * Runs `requests` calls over `clients` concurrent loops, the same number each (so each client's
 * credits cover its share); returns sorted latencies in ms.
 */
async function load(clients, requests, call) {
  const latencies = []
  await Promise.all(
    Array.from({ length: clients }, async (_, client) => {
      const share = Math.floor(requests / clients) + (client < requests % clients ? 1 : 0)
      for (let i = 0; i < share; i++) latencies.push(await timed(() => call(client)))
    }),
  )
  return latencies.sort((a, b) => a - b)
}

/** A user's balance and whole ledger, page by page. */
async function accountWithLedger(workerUrl, userId) {
  const path = `/admin/users/${userId}`
  let page = await adminRequest(workerUrl, ADMIN_TOKEN, 'GET', path)
  const ledger = [...page.ledger]
  while (page.ledger_from > 0) {
    page = await adminRequest(
      workerUrl,
      ADMIN_TOKEN,
      'GET',
      `${path}?entries=1000&before=${page.ledger_from}`,
    )
    ledger.unshift(...page.ledger)
  }
  return { balance: page.balance, ledger }
}

// wrangler dev records every request and binding call for its local explorer and trace viewer.
// That recorder is a development tool: a deployed worker does not have it in its request path.
const RECORDER_OFF = { X_LOCAL_OBSERVABILITY: 'false', X_LOCAL_EXPLORER: 'false' }

async function startWranglerDev(upstreamUrl, extraEnv) {
  const state = mkdtempSync(join(tmpdir(), 'promptframe-bench-'))
  const worker = spawn(
    join(ROOT, 'node_modules/.bin/wrangler'),
    [
      'dev',
      '--config',
      'proxy-worker/wrangler.jsonc',
      '--port',
      String(WORKER_PORT),
      '--ip',
      '127.0.0.1',
      '--persist-to',
      state,
      '--show-interactive-dev-session=false',
      '--var',
      `ADMIN_TOKEN:${ADMIN_TOKEN}`,
      '--var',
      'IMAGE_PROVIDER:openai',
      '--var',
      'OPENAI_API_KEY:sk-bench',
      '--var',
      `OPENAI_BASE_URL:${upstreamUrl}`,
    ],
    {
      cwd: ROOT,
      env: { ...process.env, WRANGLER_SEND_METRICS: 'false', ...extraEnv },
      stdio: process.env.BENCH_WORKER_LOG ? 'inherit' : 'ignore',
    },
  )
  const url = `http://127.0.0.1:${WORKER_PORT}`
  const stop = async () => {
    if (worker.exitCode === null) {
      worker.kill('SIGTERM')
      await new Promise((done) => worker.once('exit', done))
    }
    rmSync(state, { recursive: true, force: true })
  }
  try {
    await waitForWorker(url, 90_000, () => worker.exitCode === null)
  } catch (error) {
    await stop()
    throw error
  }
  return { url, stop, pid: worker.pid }
}

/** The dev server's own cost: GET / answers at once, without touching storage or upstream. */
async function measureHop(url) {
  await load(1, 20, () => fetch(`${url}/`))
  return load(1, 200, () => fetch(`${url}/`))
}

/**
 * Runs the direct and the via-worker calls in alternating blocks, so that a slow spell of this
 * shared machine lands on both sides instead of skewing one.
 */
async function alternate(clients, requests, direct, viaWorker, blocks = 5) {
  const directTimes = []
  const workerTimes = []
  let busy = 0
  let total = 0
  for (let block = 0; block < blocks; block++) {
    directTimes.push(...(await load(clients, requests / blocks, direct)))
    const before = machineCpu()
    workerTimes.push(...(await load(clients, requests / blocks, viaWorker)))
    const after = machineCpu()
    busy += after.busy - before.busy
    total += after.total - before.total
  }
  const sorted = (times) => times.sort((a, b) => a - b)
  return {
    directTimes: sorted(directTimes),
    workerTimes: sorted(workerTimes),
    machineBusy: total > 0 ? busy / total : 0,
  }
}

async function benchWorker() {
  const upstream = await startFakeUpstream({ imageB64: IMAGE_B64, delayMs: UPSTREAM_DELAY_MS })
  try {
    const withRecorder = await startWranglerDev(upstream.url, {})
    const hopWithRecorder = await measureHop(withRecorder.url).finally(withRecorder.stop)
    const worker = await startWranglerDev(upstream.url, RECORDER_OFF)
    try {
      await measureAddedLatency(worker, upstream.url, hopWithRecorder)
    } finally {
      await worker.stop()
    }
  } finally {
    upstream.server.close()
  }
}

async function measureAddedLatency(worker, upstreamUrl, hopWithRecorder) {
  const workerUrl = worker.url
  const body = JSON.stringify({
    model: 'gpt-image-2',
    prompt: 'bench',
    size: '1024x1024',
    quality: 'low',
    n: 1,
  })
  const direct = () =>
    fetch(`${upstreamUrl}/images/generations`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: 'Bearer sk-bench' },
      body,
    })
  const cpuBeforeHop = wranglerCpu(worker.pid)
  const hop = await measureHop(workerUrl)
  const cpuAfterHop = wranglerCpu(worker.pid)
  const hopCpu = (role) => ((cpuAfterHop[role] - cpuBeforeHop[role]) / hop.length).toFixed(1)
  const fmtHop = (times) =>
    `p50 ${percentile(times, 50).toFixed(1)} ms, p99 ${percentile(times, 99).toFixed(1)} ms`
  console.log(
    `Worker overhead (fake upstream with a fixed ${UPSTREAM_DELAY_MS} ms delay and a ${IMAGE_KB > 0 ? `${IMAGE_KB} KB` : '67-byte'} image; gpt-image-2 low, 2 credits a request)`,
  )
  console.log(
    `wrangler dev's own hop, GET / with no work: ${fmtHop(hop)}, and ${hopCpu('worker')} ms of CPU in the worker's workerd and ${hopCpu('proxy')} ms in the dev proxy's. It is part of every "added" figure below and is not there when deployed.`,
  )
  console.log(
    `wrangler dev runs with its local request recorder off (X_LOCAL_OBSERVABILITY=false, X_LOCAL_EXPLORER=false); with it on, the same hop was ${fmtHop(hopWithRecorder)}.`,
  )
  console.log(
    '   clients  requests  direct p50/p99 ms   via worker p50/p99 ms   added p50/p99 ms   metering',
  )
  console.log(
    '("1 keyed": an Idempotency-Key with each request, as the plugin sends. "1 no proxy": straight to the workerd that runs the worker, past wrangler dev\'s proxy, which a deployed worker does not have)',
  )
  const socketUrl = await workerSocketUrl(worker.pid, WORKER_PORT)
  for (const { clients, requests, label, keyed, pastProxy } of LEVELS.filter(
    (level) => !ONLY_LEVELS || ONLY_LEVELS.includes(String(level.clients)),
  )) {
    if (pastProxy && !socketUrl) {
      console.log(`${label.padStart(10)}  skipped: the worker's own workerd socket was not found`)
      continue
    }
    const target = pastProxy ? socketUrl : workerUrl
    const perClient = Math.ceil(requests / clients) + 5
    const users = await Promise.all(
      Array.from({ length: clients }, (_, i) =>
        adminRequest(workerUrl, ADMIN_TOKEN, 'POST', '/admin/users', {
          name: `bench ${clients}/${i}`,
          credits: perClient * 2,
        }),
      ),
    )
    const viaWorker = (client) =>
      fetch(`${target}/v1/images/generate`, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          Authorization: `Bearer ${users[client].token}`,
          ...(keyed ? { 'Idempotency-Key': crypto.randomUUID() } : {}),
        },
        body: JSON.stringify({ prompt: 'bench', size: '1:1', quality: 'low' }),
      })
    await load(clients, clients * 2, viaWorker) // warm up
    const cpuBefore = wranglerCpu(worker.pid)
    const { directTimes, workerTimes, machineBusy } = await alternate(
      clients,
      requests,
      direct,
      viaWorker,
    )
    const cpuAfter = wranglerCpu(worker.pid)
    const perRequest = (role) => ((cpuAfter[role] - cpuBefore[role]) / requests).toFixed(1)
    const accounts = await Promise.all(
      users.map((user) => accountWithLedger(workerUrl, user.user_id)),
    )
    const spent = accounts.reduce((sum, account) => sum + (perClient * 2 - account.balance), 0)
    const ledgersAgree = accounts.every(
      (account) => account.ledger.reduce((sum, entry) => sum + entry.delta, 0) === account.balance,
    )
    const exact = spent === (requests + clients * 2) * 2 && ledgersAgree
    const fmt = (sorted) =>
      `${percentile(sorted, 50).toFixed(1)}/${percentile(sorted, 99).toFixed(1)}`
    const added = `${(percentile(workerTimes, 50) - percentile(directTimes, 50)).toFixed(1)}/${(percentile(workerTimes, 99) - percentile(directTimes, 99)).toFixed(1)}`
    console.log(
      `${label.padStart(10)}  ${String(requests).padStart(8)}  ${fmt(directTimes).padStart(17)}  ${fmt(workerTimes).padStart(22)}  ${added.padStart(17)}   ${exact ? 'exact' : 'NOT EXACT'} (${spent} credits spent, ledgers ${ledgersAgree ? 'sum to balances' : 'disagree'})`,
    )
    console.log(
      `${' '.repeat(12)}CPU per request: ${perRequest('worker')} ms in the worker's workerd (the worker and the local KV and R2 simulators), ${perRequest('proxy')} ms in the dev proxy's; this machine's ${cpus().length} cores were ${(machineBusy * 100).toFixed(0)}% busy during the via-worker blocks`,
    )
    // Local workerd runs the worker and its KV and R2 simulators on one thread.
    const capacity = 1000 / Number(perRequest('worker'))
    const asked = (clients * 1000) / UPSTREAM_DELAY_MS
    console.log(
      `${' '.repeat(12)}that thread can serve about ${capacity.toFixed(0)} requests/s at this cost; ${clients} client${clients === 1 ? '' : 's'} with a ${UPSTREAM_DELAY_MS} ms upstream ask for up to ${asked.toFixed(0)}/s${asked > capacity ? ', so requests queue for it' : ''}`,
    )
  }
}

function benchSizes() {
  if (!existsSync(join(ROOT, 'build/ui.js')))
    spawnSync(join(ROOT, 'node_modules/.bin/build-figma-plugin'), ['--minify'], {
      cwd: ROOT,
      stdio: 'inherit',
    })
  console.log('\nPlugin bundles (minified, gzip -9)')
  for (const [file, targetKb] of [
    ['build/ui.js', 60],
    ['build/main.js', 20],
  ]) {
    const bytes = readFileSync(join(ROOT, file))
    const gz = gzipSync(bytes, { level: 9 }).length
    console.log(
      `  ${file.padEnd(14)} ${(bytes.length / 1024).toFixed(1).padStart(7)} KB raw  ${(gz / 1024).toFixed(1).padStart(6)} KB gzip  (target ≤ ${targetKb} KB: ${gz <= targetKb * 1024 ? 'met' : 'MISSED'})`,
    )
  }
}

async function benchReference() {
  const harness = await startHarnessServer(0)
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  })
  try {
    const page = await browser.newPage()
    await page.goto(`${harness.url}/?samples=0&token=bench&worker=http://127.0.0.1:9`)
    await page.waitForSelector('body[data-ready="true"]')
    await page.evaluate(() => window.harness.addImage())
    await page.waitForFunction(() => window.harness.nodeByName('Photo'))
    // A 4000×2250 frame holding a photo and some layout, as a designer's hero mockup might.
    await page.evaluate(() =>
      window.harness.add({
        name: 'Big frame',
        x: 0,
        y: 2000,
        width: 4000,
        height: 2250,
        colour: [240, 240, 245],
        children: [
          { name: 'Band', x: 0, y: 0, width: 4000, height: 400, colour: [20, 30, 60] },
          { name: 'Card', x: 2400, y: 700, width: 1200, height: 1200, colour: [250, 190, 60] },
          { name: 'Button', x: 300, y: 1500, width: 900, height: 220, colour: [13, 153, 255] },
        ],
      }),
    )
    await page.waitForFunction(() => window.harness.nodeByName('Big frame'))
    const id = await page.evaluate(() => window.harness.nodeByName('Big frame').id)
    const result = await page.evaluate((nodeId) => window.harness.measureReference(nodeId), id)
    console.log(
      "\nReference upload for a 4000×2250 frame (the plugin's own export code, rendered by Chromium)",
    )
    console.log(
      `  sent as ${result.mimeType} ${result.width}×${result.height}: ${(result.bytes / 1024).toFixed(1)} KB (a 2x PNG export would be 8000×4500)`,
    )
  } finally {
    await browser.close()
    await harness.close()
  }
}

const parts = process.argv.slice(2)
const wanted = (part) => parts.length === 0 || parts.includes(part)
if (wanted('floor')) await benchAgainstFloor()
if (wanted('worker')) await benchWorker()
if (wanted('sizes')) benchSizes()
if (wanted('reference')) await benchReference()
if (wanted('memory')) await benchMemory()
