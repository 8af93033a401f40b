import {
  createServer,
  request as forward,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http'
import type { AddressInfo } from 'node:net'

type Outgoing = ServerResponse<IncomingMessage>

/**
 * Forwards one request to the worker. A connection of its own for each request: a pooled one the
 * worker is closing just then would reset the request, which the plugin never sees happen in
 * Figma. `answer` writes the worker's answer back (by default, all of it).
 */
function passOn(
  target: string,
  incoming: IncomingMessage,
  outgoing: Outgoing,
  answer = (reply: IncomingMessage, _request: ReturnType<typeof forward>) => {
    reply.pipe(outgoing)
  },
) {
  const upstream = forward(
    `${target}${incoming.url ?? '/'}`,
    { method: incoming.method, headers: incoming.headers, agent: false },
    (reply) => {
      outgoing.writeHead(reply.statusCode ?? 502, reply.headers)
      answer(reply, upstream)
    },
  )
  upstream.on('error', () => outgoing.destroy())
  incoming.pipe(upstream)
}

/** A proxy on another localhost port, as the plugin's service address. */
async function listen(handle: (incoming: IncomingMessage, outgoing: Outgoing) => void) {
  const server = createServer(handle)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    url: `http://localhost:${(server.address() as AddressInfo).port}`,
    // Connections the page still holds open (a keep-alive, a request it no longer waits for)
    // would keep close() waiting for ever.
    close: () =>
      new Promise((resolve) => {
        server.close(resolve)
        server.closeAllConnections()
      }),
  }
}

/** A pass-through that counts the bytes of each request body by path: what the plugin puts on the wire. */
export async function countingProxy(target: string) {
  const sent = new Map<string, number>()
  const proxy = await listen((incoming, outgoing) => {
    const path = incoming.url ?? '/'
    let bytes = 0
    incoming.on('data', (chunk: Buffer) => {
      bytes += chunk.length
    })
    incoming.on('end', () => sent.set(path, (sent.get(path) ?? 0) + bytes))
    passOn(target, incoming, outgoing)
  })
  return { ...proxy, sent }
}

/**
 * A network between the plugin and the worker that fails once: the first answer to a POST on
 * `path` is cut off, connection and all, as soon as it has carried `marker`. Everything else
 * passes through untouched. Counts the POSTs to `path` and the Idempotency-Keys they carried.
 */
export async function cuttingProxy(target: string, path: string, marker: string) {
  const keys: string[] = []
  let cut = false
  const proxy = await listen((incoming, outgoing) => {
    const watched = incoming.method === 'POST' && incoming.url === path
    if (watched) keys.push(String(incoming.headers['idempotency-key'] ?? ''))
    const cutThis = watched && !cut
    if (cutThis) cut = true
    if (!cutThis) return passOn(target, incoming, outgoing)
    passOn(target, incoming, outgoing, (reply, upstream) => {
      let seen = ''
      reply.on('data', (chunk: Buffer) => {
        outgoing.write(chunk)
        seen += chunk.toString()
        if (!seen.includes(marker)) return
        // The worker sees its client go, as it would on a real network.
        upstream.destroy()
        outgoing.socket?.destroy()
      })
      reply.on('end', () => outgoing.end())
    })
  })
  return { ...proxy, keys }
}

/**
 * A network between the plugin and the worker where the first `failures` downloads of a
 * generated image fail (503); everything else passes through.
 */
export async function failingDownloads(target: string, failures: number) {
  let failed = 0
  const proxy = await listen((incoming, outgoing) => {
    const download = incoming.method === 'GET' && /^\/v1\/images\/[^/]+$/.test(incoming.url ?? '')
    if (download && failed < failures) {
      failed++
      outgoing.writeHead(503).end()
      return
    }
    passOn(target, incoming, outgoing)
  })
  return { ...proxy, failed: () => failed }
}

/**
 * A network between the plugin and the worker where each download of a generated image waits
 * until `release()`: the moment between an image's announcement and its arrival, held open.
 */
export async function heldDownloads(target: string) {
  const waiting: (() => void)[] = []
  let released = false
  const proxy = await listen((incoming, outgoing) => {
    const download = incoming.method === 'GET' && /^\/v1\/images\/[^/]+$/.test(incoming.url ?? '')
    if (!download || released) return passOn(target, incoming, outgoing)
    waiting.push(() => passOn(target, incoming, outgoing))
  })
  return {
    ...proxy,
    waiting: () => waiting.length,
    release: () => {
      released = true
      for (const go of waiting.splice(0)) go()
    },
  }
}
