// Rebuilds the plugin when its own sources change: `npm run build:watch`, and part of npm start.
// build-figma-plugin --watch watches the whole repository, so each write of the local worker's KV
// and R2 state under .wrangler/ rebuilt both bundles (12 rebuilds for one generation), and Figma
// reloads a plugin whose bundle changes while it runs.
import { spawn } from 'node:child_process'
import { watch } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { ROOT } from './local-worker.mjs'

/** What the bundles and the manifest are built from; the manifest's settings live in package.json. */
const PLUGIN_INPUTS = ['plugin', 'shared', 'package.json', 'tsconfig.json']
const SETTLE_MS = 150

// The build writes CSS module typings next to the CSS; those must not set off another build.
const isBuildOutput = (file) => file?.endsWith('.css.d.ts')

/** Builds now, then again after each burst of source changes; one build at a time. */
export function watchPlugin(print = console.log) {
  let running = null
  let again = false
  let timer = null

  const build = () => {
    if (running) {
      again = true
      return
    }
    running = spawn(join(ROOT, 'node_modules/.bin/build-figma-plugin'), ['--minify'], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    const forward = (chunk) => {
      for (const line of chunk.toString().split('\n')) if (line.trim()) print(line)
    }
    running.stdout.on('data', forward)
    running.stderr.on('data', forward)
    running.once('exit', () => {
      running = null
      if (again) {
        again = false
        build()
      }
    })
  }

  const changed = (file) => {
    if (isBuildOutput(file)) return
    clearTimeout(timer)
    timer = setTimeout(build, SETTLE_MS)
  }

  const watchers = PLUGIN_INPUTS.map((input) =>
    watch(join(ROOT, input), { recursive: true }, (_event, file) => changed(file)),
  )
  build()
  return () => {
    clearTimeout(timer)
    for (const watcher of watchers) watcher.close()
    running?.kill('SIGTERM')
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  watchPlugin()
  console.log(`Watching ${PLUGIN_INPUTS.join(', ')} for changes. Press Ctrl+C to stop.`)
}
