// `npm run bench -- floor`: Promptframe's worker against a floor worker that does only the I/O a
// metered generation cannot avoid (proxy-worker/bench/floor-worker.ts). Both run in one workerd,
// started by Miniflare with the worker's bindings, and are called straight on their own sockets
// (no dev proxy) with open-loop arrivals: requests start at a steady rate with jitter, not in
// waves. Prints, at 1, 10 and 50 requests in flight, each side's latency added to the upstream's
// and its CPU per request, and the worker's figures as a multiple of the floor's (target ≤ 1.2×).
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { build } from 'esbuild'
import { convertV4MiniflareOptions, Miniflare } from 'miniflare'
import {
  BENCH_ADMIN_TOKEN as ADMIN_TOKEN,
  bundleWorker,
  cpuMsOf,
  percentile,
  processTree,
  promptframeWorker,
  startFakeUpstream,
  timed,
  WORKERD_SHARED,
} from './bench-support.mjs'
import { adminRequest, ROOT } from './local-worker.mjs'

const BLOCKS = 4
// In flight = arrival rate × latency: a slower upstream keeps 50 in flight at a rate this
// machine's single-threaded local workerd can take.
const LEVELS = [
  { inFlight: 1, upstreamMs: 100, requests: 200 },
  { inFlight: 10, upstreamMs: 300, requests: 400 },
  { inFlight: 50, upstreamMs: 1000, requests: 600 },
]
// BENCH_IN_FLIGHT=1,10 runs only those levels.
const ONLY_LEVELS = process.env.BENCH_IN_FLIGHT?.split(',')
// Users the requests are spread over, so no one user reaches the cap on generations at once.
const USERS = 64
/**
 * After each block, how long deferred work is given to land in its CPU: longer than the account
 * object's batch of KV writes (KV_BATCH_MS in user-account.ts, 10 s), so a write a block put off
 * counts in that block, not in the next side's. The workerd's idle CPU over the wait, measured
 * while only the upstream is called, is taken off again.
 */
const QUIET_MS = 11_500

const sleep = (ms) => new Promise((done) => setTimeout(done, ms))

async function bundles(dir) {
  const worker = bundleWorker(join(dir, 'worker'))
  await build({
    entryPoints: [join(ROOT, 'proxy-worker/bench/floor-worker.ts')],
    outfile: join(dir, 'floor/index.js'),
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    external: ['cloudflare:*'],
    logLevel: 'error',
  })
  return { worker, floor: join(dir, 'floor/index.js') }
}

function startWorkerd(scripts, upstreamUrl) {
  return new Miniflare(
    convertV4MiniflareOptions({
      workers: [
        promptframeWorker(scripts.worker, upstreamUrl),
        {
          ...WORKERD_SHARED,
          name: 'floor',
          scriptPath: scripts.floor,
          modulesRoot: dirname(scripts.floor),
          durableObjects: { FLOOR_COUNTERS: { className: 'FloorCounter', useSQLite: true } },
          bindings: { OPENAI_API_KEY: 'sk-bench', OPENAI_BASE_URL: upstreamUrl },
        },
      ],
    }),
  )
}

/**
 * Starts `count` calls at `rate` a second, each gap jittered between half and one and a half of
 * the mean, without waiting for earlier calls; returns their latencies and the mean in flight.
 */
async function openLoop(rate, count, call) {
  const latencies = []
  const pending = []
  const start = performance.now()
  let next = start
  for (let i = 0; i < count; i++) {
    const wait = next - performance.now()
    if (wait > 0) await sleep(wait)
    pending.push(timed(() => call(i)).then((ms) => latencies.push(ms)))
    next += (1000 / rate) * (0.5 + Math.random())
  }
  await Promise.all(pending)
  const elapsed = performance.now() - start
  return { latencies, inFlight: latencies.reduce((sum, ms) => sum + ms, 0) / elapsed }
}

const median = (values) =>
  percentile(
    [...values].sort((a, b) => a - b),
    50,
  )

export async function benchAgainstFloor() {
  const dir = mkdtempSync(join(tmpdir(), 'promptframe-floor-'))
  const upstream = await startFakeUpstream()
  const scripts = await bundles(dir)
  const mf = startWorkerd(scripts, upstream.url)
  try {
    await mf.ready
    const workerUrl = (await mf.unsafeGetDirectURL('promptframe')).origin
    const floorUrl = (await mf.unsafeGetDirectURL('floor')).origin
    const workerd = processTree(process.pid).find((p) => p.command.includes('workerd'))
    const store = await mf.getKVNamespace('STORE', 'floor')
    const users = []
    for (let i = 0; i < USERS; i++) {
      const user = await adminRequest(workerUrl, ADMIN_TOKEN, 'POST', '/admin/users', {
        name: `bench ${i}`,
        credits: 100_000,
      })
      await store.put(`floor-token:${user.token}`, user.user_id)
      users.push(user)
    }
    const body = JSON.stringify({ prompt: 'bench', size: '1:1', quality: 'low' })
    const post = (url) => (i) =>
      fetch(url, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          Authorization: `Bearer ${users[i % USERS].token}`,
        },
        body,
      })
    const upstreamBody = JSON.stringify({
      model: 'gpt-image-2',
      prompt: 'bench',
      size: '1024x1024',
      quality: 'low',
      n: 1,
    })
    const sides = {
      upstream: () =>
        fetch(`${upstream.url}/images/generations`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', Authorization: 'Bearer sk-bench' },
          body: upstreamBody,
        }),
      floor: post(`${floorUrl}/`),
      settled: post(`${floorUrl}/with-settlement`),
      worker: post(`${workerUrl}/v1/images/generate`),
    }
    let workerRequests = 0
    console.log(
      `\nPromptframe's worker against the floor (the unavoidable I/O only), one workerd, straight to each worker's socket, open-loop arrivals with ±50% jitter, ${BLOCKS} alternating blocks per level`,
    )
    console.log(
      ' in flight  upstream  requests   added p50 ms: floor  floor+  worker  worker÷floor (÷floor+)   CPU ms/request: floor  floor+  worker  worker÷floor (÷floor+)',
    )
    console.log(
      '(floor+: the floor plus the two writes the credits design adds, a settlement call to the object and a KV put of the record)',
    )
    for (const level of LEVELS.filter(
      (candidate) => !ONLY_LEVELS || ONLY_LEVELS.includes(String(candidate.inFlight)),
    )) {
      upstream.setDelay(level.upstreamMs)
      const rate = (level.inFlight * 1000) / (level.upstreamMs + 5)
      const perBlock = level.requests / BLOCKS
      const measured = ['floor', 'settled', 'worker']
      const times = { upstream: [], floor: [], settled: [], worker: [] }
      const cpu = { floor: 0, settled: 0, worker: 0 }
      const inFlight = { floor: [], settled: [], worker: [] }
      for (const side of measured) await openLoop(rate, Math.min(50, perBlock), sides[side])
      workerRequests += Math.min(50, perBlock)
      await sleep(QUIET_MS)
      let idleCpu = 0
      let idleMs = 0
      for (let block = 0; block < BLOCKS; block++) {
        for (const side of ['upstream', ...measured]) {
          const before = cpuMsOf(workerd.pid)
          const started = performance.now()
          const run = await openLoop(rate, perBlock, sides[side])
          times[side].push(...run.latencies)
          if (side === 'upstream') {
            // The workerd serves nothing while only the upstream is called: its idle CPU.
            idleCpu += cpuMsOf(workerd.pid) - before
            idleMs += performance.now() - started
            continue
          }
          const quietFrom = performance.now()
          await sleep(QUIET_MS)
          const idle = (performance.now() - quietFrom) * (idleCpu / idleMs)
          cpu[side] += cpuMsOf(workerd.pid) - before - idle
          inFlight[side].push(run.inFlight)
        }
        workerRequests += perBlock
      }
      const base = median(times.upstream)
      const added = {}
      const perRequest = {}
      for (const side of measured) {
        added[side] = median(times[side]) - base
        perRequest[side] = cpu[side] / level.requests
      }
      const ratio = (figures) =>
        `${(figures.worker / figures.floor).toFixed(2)}× (${(figures.worker / figures.settled).toFixed(2)}×)`
      const row = (figures) =>
        measured.map((side) => figures[side].toFixed(2).padStart(6)).join('  ')
      console.log(
        `${String(level.inFlight).padStart(10)}  ${`${level.upstreamMs} ms`.padStart(8)}  ${String(level.requests).padStart(8)}  ${' '.repeat(13)}${row(added)}  ${ratio(added).padStart(17)}  ${' '.repeat(15)}${row(perRequest)}  ${ratio(perRequest).padStart(17)}`,
      )
      const p99 = (side) =>
        percentile(
          [...times[side]].sort((a, b) => a - b),
          99,
        ).toFixed(1)
      console.log(
        `${' '.repeat(12)}upstream alone p50 ${base.toFixed(1)} ms; idle workerd ${((idleCpu / idleMs) * 1000).toFixed(1)} ms CPU/s, taken off the ${QUIET_MS / 1000} s waits; p99 floor ${p99('floor')} ms, floor+ ${p99('settled')} ms, worker ${p99('worker')} ms; measured in flight ${measured.map((side) => median(inFlight[side]).toFixed(1)).join(' / ')}`,
      )
    }
    const spent = await Promise.all(
      users.map(async (user) => {
        const account = await adminRequest(
          workerUrl,
          ADMIN_TOKEN,
          'GET',
          `/admin/users/${user.user_id}`,
        )
        return 100_000 - account.balance
      }),
    )
    const total = spent.reduce((sum, credits) => sum + credits, 0)
    console.log(
      `  metering: ${total} credits spent for ${workerRequests} worker requests at 2 credits each: ${total === workerRequests * 2 ? 'exact' : 'NOT EXACT'}`,
    )
    console.log(
      `  CPU is the workerd process (both workers and the local KV, R2 and Durable Object simulators), from each block start to ${QUIET_MS / 1000} s after its end, so writes the account object batches count in the block that caused them`,
    )
  } finally {
    await mf.dispose()
    upstream.server.close()
    rmSync(dir, { recursive: true, force: true })
  }
}
