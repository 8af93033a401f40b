// Builds the team admin console (proxy-worker/console/, Preact) into one module the worker
// serves at /admin: the page, its script and its style, as strings. Run by `npm run build`, and by
// wrangler itself before `wrangler dev` and `wrangler deploy` (the "build" key of wrangler.jsonc).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import * as esbuild from 'esbuild'

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const SOURCE = join(ROOT, 'proxy-worker/console')
const OUTPUT = join(ROOT, 'proxy-worker/src/console/console-bundle.js')

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Promptframe team admin</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/admin/console.css">
<script type="module" src="/admin/console.js"></script>
</head>
<body><div id="console"></div></body>
</html>
`

export async function buildConsole() {
  const script = await esbuild.build({
    entryPoints: [join(SOURCE, 'main.tsx')],
    bundle: true,
    format: 'esm',
    target: 'es2022',
    minify: true,
    jsx: 'automatic',
    jsxImportSource: 'preact',
    write: false,
    logLevel: 'silent',
    legalComments: 'none',
  })
  const style = await esbuild.transform(readFileSync(join(SOURCE, 'console.css'), 'utf8'), {
    loader: 'css',
    minify: true,
  })
  mkdirSync(dirname(OUTPUT), { recursive: true })
  writeFileSync(
    OUTPUT,
    `// Built by scripts/build-console.mjs from proxy-worker/console/; do not edit.\n` +
      `export const CONSOLE_HTML = ${JSON.stringify(PAGE)}\n` +
      `export const CONSOLE_SCRIPT = ${JSON.stringify(script.outputFiles[0].text)}\n` +
      `export const CONSOLE_STYLE = ${JSON.stringify(style.code)}\n`,
  )
  return { script: script.outputFiles[0].text.length, style: style.code.length }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const sizes = await buildConsole()
  console.log(`console built: script ${sizes.script} bytes, style ${sizes.style} bytes`)
}
