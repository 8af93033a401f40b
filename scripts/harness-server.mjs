// Serves the plugin harness: the built plugin in a page that plays Figma's host, for people without
// Figma (npm start) and for the browser tests. Harness scripts are bundled with esbuild on request.
import { readFile } from 'node:fs/promises'
import { createServer } from 'node:http'
import { dirname, extname, join, normalize, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import * as esbuild from 'esbuild'
import { networkDefine } from './plugin-network.mjs'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const harnessDir = join(root, 'test/e2e/harness')
const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.json': 'application/json',
}
const ENTRIES = { '/harness-page.js': 'harness-page.ts', '/main-host.js': 'main-host.ts' }

async function bundle(entry) {
  const result = await esbuild.build({
    entryPoints: [join(harnessDir, entry)],
    bundle: true,
    format: 'iife',
    target: 'es2022',
    write: false,
    logLevel: 'silent',
    define: networkDefine(),
  })
  return result.outputFiles[0].text
}

async function respond(request, response) {
  const path = new URL(request.url, 'http://localhost').pathname
  try {
    if (path === '/' || path === '/index.html') {
      response.writeHead(200, { 'Content-Type': TYPES['.html'] })
      return response.end(await readFile(join(harnessDir, 'index.html')))
    }
    if (ENTRIES[path]) {
      response.writeHead(200, { 'Content-Type': TYPES['.js'], 'Cache-Control': 'no-store' })
      return response.end(await bundle(ENTRIES[path]))
    }
    if (path === '/manifest.json') {
      // The harness applies the manifest's networkAccess to the plugin window, as Figma does.
      response.writeHead(200, { 'Content-Type': TYPES['.json'], 'Cache-Control': 'no-store' })
      return response.end(await readFile(join(root, 'manifest.json')))
    }
    if (path === '/favicon.ico') {
      response.writeHead(204)
      return response.end()
    }
    if (path.startsWith('/build/')) {
      const file = normalize(join(root, path))
      if (!file.startsWith(join(root, 'build')))
        throw Object.assign(new Error('outside build'), { code: 'ENOENT' })
      response.writeHead(200, {
        'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream',
        'Cache-Control': 'no-store',
      })
      return response.end(await readFile(file))
    }
    response.writeHead(404, { 'Content-Type': 'text/plain' })
    response.end('not found')
  } catch (error) {
    const missing = error.code === 'ENOENT'
    response.writeHead(missing ? 404 : 500, { 'Content-Type': 'text/plain' })
    response.end(missing ? `not found: ${path} (has the plugin been built?)` : String(error))
  }
}

export function startHarnessServer(port = 8790, host = '127.0.0.1') {
  return new Promise((resolvePromise, reject) => {
    const server = createServer(respond)
    server.once('error', reject)
    server.listen(port, host, () => {
      const { port: actual } = server.address()
      resolvePromise({
        url: `http://localhost:${actual}`,
        close: () => new Promise((done) => server.close(done)),
      })
    })
  })
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const port = Number(process.env.HARNESS_PORT ?? 8790)
  const { url } = await startHarnessServer(port)
  console.log(`Plugin harness: ${url}`)
}
