// Finds the socket of the workerd that runs the worker itself, behind wrangler dev's proxy.
import { readdirSync, readFileSync, readlinkSync } from 'node:fs'
import { processTree } from './bench-support.mjs'

/**
 * The address that answers as the worker on the workerd wrangler dev started for it, past its
 * dev proxy (a dev-only hop, which exits when a client drops a request before its answer). Null
 * when wrangler dev is laid out otherwise. Linux only: it reads /proc.
 */
export async function workerSocketUrl(wranglerPid, proxyPort) {
  const workerd = processTree(wranglerPid).find(
    (process) =>
      process.command.includes('workerd') &&
      !process.command.includes(`entry=127.0.0.1:${proxyPort} `),
  )
  if (!workerd) return null
  let inodes
  try {
    inodes = new Set(
      readdirSync(`/proc/${workerd.pid}/fd`).map((fd) => {
        try {
          return /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${workerd.pid}/fd/${fd}`))?.[1]
        } catch {
          return undefined
        }
      }),
    )
  } catch {
    return null
  }
  const ports = readFileSync('/proc/net/tcp', 'utf8')
    .split('\n')
    .slice(1)
    .map((line) => line.trim().split(/\s+/))
    .filter((fields) => fields[3] === '0A' && inodes.has(fields[9]))
    .map((fields) => Number.parseInt(fields[1].split(':')[1], 16))
  for (const port of ports) {
    try {
      const answer = await (await fetch(`http://127.0.0.1:${port}/`)).json()
      if (answer?.data?.service === 'promptframe-proxy') return `http://127.0.0.1:${port}`
    } catch {}
  }
  return null
}
