// `npm run bench -- memory`: what large answers and a large edit cost in memory, in two places.
// The workerd process, which also runs the local KV, R2 and Durable Object simulators: its peak
// rise of resident memory. And the worker's own isolate, which is what a deployed worker's
// 128 MB limit counts: its live JS heap plus ArrayBuffer memory, read through the V8 inspector
// after a forced collection. The upstream's answer and the edit's body arrive at a network's pace,
// so the isolate waits on them most of the time, as deployed, and the inspector (which it answers
// only between events) samples all through the request.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { convertV4MiniflareOptions, Miniflare } from 'miniflare'
import {
  BENCH_ADMIN_TOKEN,
  bundleWorker,
  paddedPng,
  processTree,
  promptframeWorker,
  startFakeUpstream,
  wholePng,
} from './bench-support.mjs'
import { adminRequest } from './local-worker.mjs'

const MB = 1024 * 1024
/** The pace of the upstream's answers and of the edit's body: a fast link, not a local pipe. */
const BYTES_PER_SECOND = 20 * 1e6

const residentMb = (pid) =>
  Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) / 1024

function freePort() {
  const server = createServer()
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address()
      server.close(() => resolve(port))
    }),
  )
}

/** A DevTools protocol session with one worker's isolate. */
async function inspect(port, workerName) {
  const targets = await (await fetch(`http://127.0.0.1:${port}/json/list`)).json()
  const target = targets.find((candidate) => candidate.title.endsWith(`core:user:${workerName}`))
  const socket = new WebSocket(target.webSocketDebuggerUrl)
  await new Promise((resolve, reject) => {
    socket.addEventListener('open', resolve)
    socket.addEventListener('error', reject)
  })
  let lastId = 0
  const waiting = new Map()
  socket.addEventListener('message', (event) => {
    const message = JSON.parse(event.data)
    waiting.get(message.id)?.(message.result)
    waiting.delete(message.id)
  })
  const send = (method) =>
    new Promise((resolve) => {
      waiting.set(++lastId, resolve)
      socket.send(JSON.stringify({ id: lastId, method }))
    })
  await send('HeapProfiler.enable')
  return { send, close: () => socket.close() }
}

/**
 * The isolate's live JS heap plus its ArrayBuffers' memory, in MB, after a forced collection; 0
 * when the isolate does not answer within a second (a collection asked for while it is idle waits
 * for its next event, so an idle isolate is read without one).
 */
async function liveIsolateMb(session, collect = true) {
  const read = async () => {
    if (collect) await session.send('HeapProfiler.collectGarbage')
    const usage = await session.send('Runtime.getHeapUsage')
    return (usage.usedSize + (usage.backingStorageSize ?? 0)) / MB
  }
  let timer
  const late = new Promise((resolve) => {
    timer = setTimeout(resolve, 1000, 0)
  })
  return Promise.race([read(), late]).finally(() => clearTimeout(timer))
}

/** Samples `read` until `done` settles; returns the peak and how many reads had an answer. */
async function peakWhile(done, read) {
  let finished = false
  const finish = () => {
    finished = true
  }
  done.then(finish, finish)
  let peak = 0
  let samples = 0
  while (!finished) {
    const value = await read()
    if (value > 0) samples++
    peak = Math.max(peak, value)
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
  return { peak, samples }
}

/**
 * Runs `send` against a fresh workerd running the worker, sampling the process's resident memory
 * and the worker isolate's live memory.
 */
async function peakMemory(script, upstreamUrl, send) {
  const inspectorPort = await freePort()
  const mf = new Miniflare(
    convertV4MiniflareOptions({ inspectorPort, workers: [promptframeWorker(script, upstreamUrl)] }),
  )
  try {
    await mf.ready
    const url = (await mf.unsafeGetDirectURL('promptframe')).origin
    const workerd = processTree(process.pid).find((p) => p.command.includes('workerd'))
    const session = await inspect(inspectorPort, 'promptframe')
    const user = await adminRequest(url, BENCH_ADMIN_TOKEN, 'POST', '/admin/users', {
      name: 'bench memory',
      credits: 1000,
    })
    const residentBefore = residentMb(workerd.pid)
    const isolateBefore = await liveIsolateMb(session, false)
    const call = (async () => {
      const response = await send(url, user.token)
      const answer = await response.arrayBuffer()
      const refusal = response.ok ? '' : ` (${new TextDecoder().decode(answer).slice(0, 200)})`
      return { status: `${response.status}${refusal}`, size: answer.byteLength }
    })()
    const [resident, isolate, answer] = await Promise.all([
      peakWhile(call, async () => residentMb(workerd.pid)),
      peakWhile(call, () => liveIsolateMb(session)),
      call,
    ])
    session.close()
    return { ...answer, residentBefore, resident, isolateBefore, isolate }
  } finally {
    await mf.dispose()
  }
}

const jsonPost = (path, body) => (url, token) =>
  fetch(`${url}${path}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
    body: JSON.stringify(body),
  })

/** A body sent at `bytesPerSecond`, in 64 KB pieces. */
function pacedBody(bytes, bytesPerSecond) {
  const piece = 64 * 1024
  let at = 0
  return new ReadableStream({
    async pull(controller) {
      if (at >= bytes.length) return controller.close()
      await new Promise((resolve) => setTimeout(resolve, (piece / bytesPerSecond) * 1000))
      controller.enqueue(bytes.subarray(at, at + piece))
      at += piece
    },
  })
}

/** An edit with these references, sent as multipart file parts at a network's pace. */
const multipartEdit = (references) => async (url, token) => {
  const form = new FormData()
  form.append('prompt', 'memory')
  form.append('quality', 'low')
  for (const [i, bytes] of references.entries())
    form.append('image[]', new Blob([bytes], { type: 'image/png' }), `reference-${i}.png`)
  const encoded = new Request('http://form.invalid/', { method: 'POST', body: form })
  const bytes = new Uint8Array(await encoded.arrayBuffer())
  return fetch(`${url}/v1/images/edit`, {
    method: 'POST',
    headers: {
      Authorization: `Bearer ${token}`,
      'Content-Type': encoded.headers.get('Content-Type'),
      'Content-Length': String(bytes.length),
    },
    body: pacedBody(bytes, BYTES_PER_SECOND),
    duplex: 'half',
  })
}

const figures = (run) =>
  `${run.status}; workerd peak +${(run.resident.peak - run.residentBefore).toFixed(0)} MB over ${run.residentBefore.toFixed(0)} MB; worker isolate peak ${run.isolate.peak.toFixed(1)} MB live over ${run.isolateBefore.toFixed(1)} MB (${run.isolate.samples} samples)`

/**
 * Four 15 MB and four 30 MB images in one upstream answer (a 4K PNG is about 15 MB) on both
 * routes, and edits sending 16 references of 1 MB and of 3 MB: a peak that follows the size of
 * what passes through is one a 4K batch could take past the isolate's limit.
 */
export async function benchMemory() {
  console.log(
    `\nMemory, per request, with answers and edits arriving at ${BYTES_PER_SECOND / 1e6} MB/s: the worker's workerd (peak rise of its resident memory, which includes the local KV, R2 and Durable Object simulators) and the worker's own isolate (live JS heap and ArrayBuffers after a forced collection, what a deployed isolate's 128 MB counts), a fresh workerd for each line`,
  )
  const dir = mkdtempSync(join(tmpdir(), 'promptframe-memory-'))
  try {
    const script = bundleWorker(join(dir, 'worker'))
    for (const imageMb of [15, 30]) {
      const upstream = await startFakeUpstream({
        imageB64: paddedPng(imageMb * 1024),
        bytesPerSecond: BYTES_PER_SECOND,
      })
      try {
        for (const [path, answer] of [
          ['/v1/images/generate', 'image URLs'],
          ['/v1/images/generations', 'b64_json'],
        ]) {
          const body = { model: 'gpt-image-2', prompt: 'memory', quality: 'low', n: 4 }
          const run = await peakMemory(script, upstream.url, jsonPost(path, body))
          console.log(
            `  4 × ${imageMb} MB answer  ${path.padEnd(24)} with ${answer} (${(run.size / 1e6).toFixed(1)} MB): ${figures(run)}`,
          )
        }
      } finally {
        upstream.server.close()
      }
    }
    const upstream = await startFakeUpstream()
    try {
      for (const referenceMb of [1, 3]) {
        const references = Array.from({ length: 16 }, () => wholePng(referenceMb * 1e6))
        const run = await peakMemory(script, upstream.url, multipartEdit(references))
        const sent = references.reduce((sum, bytes) => sum + bytes.length, 0)
        console.log(
          `  edit, 16 × ${referenceMb} MB references  /v1/images/edit (multipart, ${(sent / 1e6).toFixed(1)} MB): ${figures(run)}`,
        )
      }
    } finally {
      upstream.server.close()
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
