import { createServer, request as forward } from 'node:http'
import type { AddressInfo } from 'node:net'

/**
 * A network between the plugin and the worker that fails once: the first answer to a POST on
 * `path` is cut off, connection and all, as soon as it has carried `marker`. Everything else
 * passes through untouched. Counts the POSTs to `path` and the Idempotency-Keys they carried.
 */
export async function cuttingProxy(target: string, path: string, marker: string) {
  const keys: string[] = []
  let cut = false
  const server = createServer((incoming, outgoing) => {
    const url = incoming.url ?? '/'
    const watched = incoming.method === 'POST' && url === path
    if (watched) keys.push(String(incoming.headers['idempotency-key'] ?? ''))
    const cutThis = watched && !cut
    if (cutThis) cut = true
    const upstream = forward(
      `${target}${url}`,
      { method: incoming.method, headers: incoming.headers, agent: false },
      (answer) => {
        outgoing.writeHead(answer.statusCode ?? 502, answer.headers)
        if (!cutThis) return void answer.pipe(outgoing)
        let seen = ''
        answer.on('data', (chunk: Buffer) => {
          outgoing.write(chunk)
          seen += chunk.toString()
          if (!seen.includes(marker)) return
          // The worker sees its client go, as it would on a real network.
          upstream.destroy()
          outgoing.socket?.destroy()
        })
        answer.on('end', () => outgoing.end())
      },
    )
    upstream.on('error', () => outgoing.destroy())
    incoming.pipe(upstream)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    url: `http://localhost:${(server.address() as AddressInfo).port}`,
    keys,
    close: () => new Promise((resolve) => server.close(resolve)),
  }
}

/**
 * A network between the plugin and the worker where the first `failures` downloads of a
 * generated image fail (503); everything else passes through.
 */
export async function failingDownloads(target: string, failures: number) {
  let failed = 0
  const server = createServer((incoming, outgoing) => {
    const url = incoming.url ?? '/'
    const download = incoming.method === 'GET' && /^\/v1\/images\/[^/]+$/.test(url)
    if (download && failed < failures) {
      failed++
      outgoing.writeHead(503).end()
      return
    }
    const upstream = forward(
      `${target}${url}`,
      { method: incoming.method, headers: incoming.headers, agent: false },
      (answer) => {
        outgoing.writeHead(answer.statusCode ?? 502, answer.headers)
        answer.pipe(outgoing)
      },
    )
    upstream.on('error', () => outgoing.destroy())
    incoming.pipe(upstream)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    url: `http://localhost:${(server.address() as AddressInfo).port}`,
    failed: () => failed,
    close: () => new Promise((resolve) => server.close(resolve)),
  }
}
