// `npm run bench -- memory`: what large answers and a large edit cost in memory, in two places.
// The workerd process, which also runs the local KV, R2 and Durable Object simulators: its peak
// rise of resident memory. And the worker's own isolate, which is what a deployed worker's
// 128 MB limit counts: its live JS heap plus ArrayBuffer memory, read through the V8 inspector
// after a forced collection. The upstream's answer and the edit's body arrive at a network's pace,
// so the isolate waits on them most of the time, as deployed, and the inspector (which it answers
// only between events) samples all through the request.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { convertV4MiniflareOptions, Miniflare } from 'miniflare'
import {
  BENCH_ADMIN_TOKEN,
  bundleWorker,
  pacedPieces,
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

/** A DevTools protocol session with one worker's isolate. */
async function inspect(mf, workerName) {
  const list = new URL('/json/list', await mf.getInspectorURL())
  list.protocol = 'http:'
  const targets = await (await fetch(list)).json()
  const target = targets.find((candidate) => candidate.title.endsWith(`core:user:${workerName}`))
  if (!target) throw new Error(`the workerd's inspector lists no isolate for ${workerName}`)
  const socket = new WebSocket(target.webSocketDebuggerUrl)
  await new Promise((resolve, reject) => {
    socket.addEventListener('open', resolve)
    socket.addEventListener('error', reject)
  })
  let lastId = 0
  const waiting = new Map()
  socket.addEventListener('message', (event) => {
    const message = JSON.parse(event.data)
    const answer = waiting.get(message.id)
    waiting.delete(message.id)
    if (message.error) answer?.reject(new Error(`${message.error.message} (inspector)`))
    else answer?.resolve(message.result)
  })
  const send = (method) =>
    new Promise((resolve, reject) => {
      waiting.set(++lastId, { resolve, reject })
      socket.send(JSON.stringify({ id: lastId, method }))
    })
  await send('HeapProfiler.enable')
  return { send, close: () => socket.close() }
}

/**
 * The isolate's live JS heap plus its ArrayBuffers' memory, in MB, after a forced collection; 0
 * when the isolate does not answer within a second. A collection asked for while the isolate is
 * idle waits for its next event: `nudge` gives it one.
 */
async function liveIsolateMb(session, nudge) {
  const read = async () => {
    const collected = session.send('HeapProfiler.collectGarbage')
    await nudge?.()
    await collected
    const usage = await session.send('Runtime.getHeapUsage')
    if (usage.backingStorageSize === undefined)
      throw new Error("this workerd's inspector does not report ArrayBuffer memory")
    return (usage.usedSize + usage.backingStorageSize) / MB
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
 * Starts a fresh workerd running the worker (with its inspector when `inspected`) and a user, and
 * hands them to `use`.
 */
async function withWorker(script, upstreamUrl, inspected, use) {
  const mf = new Miniflare(
    convertV4MiniflareOptions({
      ...(inspected ? { inspectorPort: 0 } : {}),
      workers: [promptframeWorker(script, upstreamUrl)],
    }),
  )
  try {
    await mf.ready
    const url = (await mf.unsafeGetDirectURL('promptframe')).origin
    const user = await adminRequest(url, BENCH_ADMIN_TOKEN, 'POST', '/admin/users', {
      name: 'bench memory',
      credits: 1000,
    })
    return await use(mf, url, user.token)
  } finally {
    await mf.dispose()
  }
}

/** Sends the request and reads its whole answer: its status, and its size in bytes. */
async function answerOf(request) {
  const response = await request
  const answer = await response.arrayBuffer()
  const refusal = response.ok ? '' : ` (${new TextDecoder().decode(answer).slice(0, 200)})`
  return { status: `${response.status}${refusal}`, size: answer.byteLength }
}

/**
 * Runs `send` twice, each time in a fresh workerd: once sampling the process's resident memory
 * alone, once the worker isolate's live memory (whose forced collections would lower the first).
 */
async function peakMemory(script, upstreamUrl, send) {
  const resident = await withWorker(script, upstreamUrl, false, async (_mf, url, token) => {
    const workerd = processTree(process.pid).find((p) => p.command.includes('workerd'))
    const before = residentMb(workerd.pid)
    const call = answerOf(send(url, token))
    const [{ peak }, answer] = await Promise.all([
      peakWhile(call, async () => residentMb(workerd.pid)),
      call,
    ])
    return { ...answer, before, rise: peak - before }
  })
  const isolate = await withWorker(script, upstreamUrl, true, async (mf, url, token) => {
    const session = await inspect(mf, 'promptframe')
    try {
      const before = await liveIsolateMb(session, () => fetch(url).then((r) => r.arrayBuffer()))
      const call = answerOf(send(url, token))
      const [sampled] = await Promise.all([peakWhile(call, () => liveIsolateMb(session)), call])
      return { before, ...sampled }
    } finally {
      session.close()
    }
  })
  return { ...resident, isolate }
}

const jsonPost = (path, body) => (url, token) =>
  fetch(`${url}${path}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
    body: JSON.stringify(body),
  })

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
    body: ReadableStream.from(pacedPieces(bytes, BYTES_PER_SECOND)),
    duplex: 'half',
  })
}

const figures = (run) => {
  const { isolate } = run
  const live =
    isolate.samples === 0
      ? 'no sample of the worker isolate answered'
      : `worker isolate peak ${isolate.peak.toFixed(1)} MB live over ${isolate.before > 0 ? `${isolate.before.toFixed(1)} MB` : 'a baseline that did not answer'} (${isolate.samples} samples)`
  return `${run.status}; workerd peak +${run.rise.toFixed(0)} MB over ${run.before.toFixed(0)} MB; ${live}`
}

/** Four 15 MB and four 30 MB images in one upstream answer (a 4K PNG is about 15 MB), per route. */
async function benchAnswers(script) {
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
}

/**
 * Edits of 16 references of 1 MB and of 3 MB, of 8 of 6 MB and of 4 of 10 MB (the largest a
 * reference may be): the same 48 MB sent in fewer, larger references shows whether the peak
 * follows a reference's size or the whole body's.
 */
async function benchEdits(script) {
  const upstream = await startFakeUpstream()
  try {
    for (const [count, referenceMb] of [
      [16, 1],
      [16, 3],
      [8, 6],
      [4, 10],
    ]) {
      const references = Array.from({ length: count }, () => wholePng(referenceMb * 1e6))
      const run = await peakMemory(script, upstream.url, multipartEdit(references))
      const sent = references.reduce((sum, bytes) => sum + bytes.length, 0)
      console.log(
        `  edit, ${count} × ${referenceMb} MB references  /v1/images/edit (multipart, ${(sent / 1e6).toFixed(1)} MB): ${figures(run)}`,
      )
    }
  } finally {
    upstream.server.close()
  }
}

/** A peak that follows the size of what passes through is one a 4K batch could take past the limit. */
export async function benchMemory() {
  console.log(
    `\nMemory, per request, with answers and edits arriving at no more than ${BYTES_PER_SECOND / 1e6} MB/s: the worker's workerd (peak rise of its resident memory, which includes the local KV, R2 and Durable Object simulators) and, in a second fresh workerd, the worker's own isolate (live JS heap and ArrayBuffers after a forced collection, what a deployed isolate's 128 MB counts)`,
  )
  const dir = mkdtempSync(join(tmpdir(), 'promptframe-memory-'))
  try {
    const script = bundleWorker(join(dir, 'worker'))
    await benchAnswers(script)
    await benchEdits(script)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
