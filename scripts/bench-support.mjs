// What the parts of `npm run bench` share: the worker's deployable bundle, a fake OpenAI upstream,
// percentiles, and CPU time of processes read from /proc.
import { spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { readdirSync, readFileSync } from 'node:fs'
import { createServer } from 'node:http'
import { dirname, join } from 'node:path'
import { crc32 } from 'node:zlib'
import { ROOT } from './local-worker.mjs'

/** At least 32 characters, or the worker turns admin access off. */
export const BENCH_ADMIN_TOKEN = 'bench-admin-token-0123456789abcdef'

/** What every worker in a bench's workerd gets: the worker's compatibility and storage bindings. */
export const WORKERD_SHARED = {
  modules: true,
  compatibilityDate: '2026-08-01',
  compatibilityFlags: ['enable_request_signal'],
  kvNamespaces: { STORE: 'store' },
  r2Buckets: { IMAGES: 'images' },
  unsafeDirectSockets: [{ port: 0 }],
}

/** Miniflare's options for the worker bundled at `script`, calling the fake upstream. */
export function promptframeWorker(script, upstreamUrl) {
  return {
    ...WORKERD_SHARED,
    name: 'promptframe',
    scriptPath: script,
    modulesRoot: dirname(script),
    durableObjects: { ACCOUNTS: { className: 'UserAccount', useSQLite: true } },
    bindings: {
      ADMIN_TOKEN: BENCH_ADMIN_TOKEN,
      IMAGE_PROVIDER: 'openai',
      OPENAI_API_KEY: 'sk-bench',
      OPENAI_BASE_URL: upstreamUrl,
      PUBLIC_BASE_URL: 'https://bench.example',
    },
  }
}

/** Bundles the worker as `wrangler deploy` would, into `outDir`; returns its entry module. */
export function bundleWorker(outDir) {
  const worker = spawnSync(
    join(ROOT, 'node_modules/.bin/wrangler'),
    ['deploy', '--dry-run', '--config', 'proxy-worker/wrangler.jsonc', '--outdir', outDir],
    { cwd: ROOT, env: { ...process.env, WRANGLER_SEND_METRICS: 'false' }, encoding: 'utf8' },
  )
  if (worker.status !== 0)
    throw new Error(`wrangler could not bundle the worker:\n${worker.stderr}`)
  return join(outDir, 'index.js')
}

// A real 1×1 PNG, as OpenAI would send it in b64_json.
export const TINY_PNG =
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4z8AAAAMBAQDJ/pLvAAAAAElFTkSuQmCC'

/** That PNG padded with random bytes to `kb` KB, as base64: the size of a real image, cheaply. */
export const paddedPng = (kb) =>
  Buffer.concat([
    Buffer.from(TINY_PNG, 'base64'),
    randomBytes(Math.max(0, kb * 1024 - 67)),
  ]).toString('base64')

function pngChunk(type, data) {
  const head = Buffer.alloc(8)
  head.writeUInt32BE(data.length, 0)
  head.write(type, 4, 'latin1')
  const crc = Buffer.alloc(4)
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0)
  return Buffer.concat([head, data, crc])
}

/**
 * A PNG whose chunks are whole, as the worker checks references, of about `bytes` bytes: a
 * 1024×1024 header and image data of random bytes, as a photo that compresses badly would have.
 */
export function wholePng(bytes) {
  const header = Buffer.alloc(13)
  header.writeUInt32BE(1024, 0)
  header.writeUInt32BE(1024, 4)
  header.set([8, 2, 0, 0, 0], 8)
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', header),
    pngChunk('IDAT', randomBytes(Math.max(1, bytes - 57))),
    pngChunk('IEND', Buffer.alloc(0)),
  ])
}

/** How long a call took, in ms, its answer read to the end; a refusal is an error. */
export async function timed(call) {
  const start = performance.now()
  const response = await call()
  const body = await response.arrayBuffer()
  if (!response.ok) {
    throw new Error(`HTTP ${response.status}: ${new TextDecoder().decode(body).slice(0, 300)}`)
  }
  return performance.now() - start
}

export function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]
}

/**
 * `bytes` in 64 KB pieces, each given out no sooner than a link of `bytesPerSecond` would deliver
 * it (timed from the first, so a late timer does not slow the whole).
 */
export async function* pacedPieces(bytes, bytesPerSecond) {
  const piece = 64 * 1024
  const start = performance.now()
  for (let at = 0; at < bytes.length; at += piece) {
    const due = start + (at / bytesPerSecond) * 1000
    const wait = due - performance.now()
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait))
    yield bytes.subarray(at, at + piece)
  }
}

/** Writes `text` at no more than `bytesPerSecond`; stops if the client goes away. */
async function writePaced(response, text, bytesPerSecond) {
  for await (const piece of pacedPieces(Buffer.from(text), bytesPerSecond)) {
    if (response.destroyed) return
    if (!response.write(piece))
      await new Promise((resolve) => {
        const go = () => {
          response.off('drain', go)
          response.off('close', go)
          resolve()
        }
        response.on('drain', go)
        response.on('close', go)
      })
  }
  response.end()
}

/**
 * A fake OpenAI images endpoint answering ImagesResponse as the spec says, after `delayMs`
 * (which `setDelay` changes between runs); at `bytesPerSecond` when given, else all at once.
 */
export function startFakeUpstream({ imageB64 = TINY_PNG, delayMs = 100, bytesPerSecond } = {}) {
  let delay = delayMs
  const server = createServer((request, response) => {
    let body = ''
    request.on('data', (chunk) => (body += chunk))
    request.on('end', () => {
      // An edit arrives as multipart form data: one image, as the bench asks for.
      const n = request.headers['content-type']?.startsWith('application/json')
        ? (JSON.parse(body || '{}').n ?? 1)
        : 1
      setTimeout(() => {
        response.writeHead(200, { 'Content-Type': 'application/json' })
        const answer = JSON.stringify({
          created: Math.floor(Date.now() / 1000),
          data: Array.from({ length: n }, () => ({ b64_json: imageB64 })),
          quality: 'low',
          output_format: 'png',
          background: 'opaque',
        })
        if (bytesPerSecond) void writePaced(response, answer, bytesPerSecond)
        else response.end(answer)
      }, delay)
    })
  })
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        server,
        url: `http://127.0.0.1:${server.address().port}/v1`,
        setDelay: (ms) => {
          delay = ms
        },
      }),
    ),
  )
}

const CLOCK_TICK_MS = 10 // Linux reports process CPU time in 1/100 s

function readProcess(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return {
      pid: Number(pid),
      parent: Number(fields[1]),
      cpuMs: (Number(fields[11]) + Number(fields[12])) * CLOCK_TICK_MS,
      command: readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' '),
    }
  } catch {
    return null
  }
}

/** A process and all its descendants, from /proc. */
export function processTree(rootPid) {
  const all = readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map(readProcess)
    .filter(Boolean)
  const tree = [all.find((process) => process.pid === rootPid)].filter(Boolean)
  for (let i = 0; i < tree.length; i++) {
    tree.push(...all.filter((process) => process.parent === tree[i].pid))
  }
  return tree
}

/** CPU time so far of one process, in ms. */
export const cpuMsOf = (pid) => readProcess(pid)?.cpuMs ?? 0
