import { type Theme, themeStyle } from './figma-theme'
import type { FrameSpec, HostMessage, PageMessage, SceneSnapshot } from './scene-snapshot'

/**
 * The harness page plays Figma's host: it starts the main thread in a Web Worker, shows the plugin
 * UI in a sandboxed iframe (Origin "null", as in Figma), relays messages both ways, and draws the
 * fake canvas so a person, or a test, can see what the plugin did.
 */
const params = new URLSearchParams(location.search)
const canvas = document.getElementById('canvas')!
const frame = document.getElementById('plugin') as HTMLIFrameElement
const notices = document.getElementById('notices')!
const images = new Map<string, string>()
let scene: SceneSnapshot = { nodes: [], selection: [] }
let theme: Theme = params.get('theme') === 'dark' ? 'dark' : 'light'
let uiHtml: string | null = null
let host: Worker
const measured = new Map<
  string,
  (result: Extract<HostMessage, { kind: 'reference-measured' }>) => void
>()

function send(message: PageMessage) {
  host.postMessage(message)
}

function render() {
  const top = scene.nodes.filter((node) => node.parentId === null)
  const left = Math.min(0, ...top.map((node) => node.x))
  const upper = Math.min(0, ...top.map((node) => node.y))
  const right = Math.max(1, ...top.map((node) => node.x + node.width))
  const bottom = Math.max(1, ...top.map((node) => node.y + node.height))
  const scale = Math.min(
    (canvas.clientWidth - 40) / (right - left),
    (canvas.clientHeight - 40) / (bottom - upper),
    1,
  )
  canvas.replaceChildren()
  const byId = new Map(scene.nodes.map((node) => [node.id, node]))
  const absolute = (id: string): { x: number; y: number } => {
    const node = byId.get(id)!
    const parent = node.parentId ? absolute(node.parentId) : { x: 0, y: 0 }
    return { x: parent.x + node.x, y: parent.y + node.y }
  }
  for (const node of scene.nodes) {
    const element = document.createElement('div')
    const position = absolute(node.id)
    element.className = 'node'
    element.dataset.id = node.id
    element.dataset.name = node.name
    element.title = node.name
    Object.assign(element.style, {
      left: `${20 + (position.x - left) * scale}px`,
      top: `${20 + (position.y - upper) * scale}px`,
      width: `${node.width * scale}px`,
      height: `${node.height * scale}px`,
    })
    if (node.fill?.type === 'SOLID') element.style.background = node.fill.css
    if (node.fill?.type === 'IMAGE') {
      element.style.backgroundImage = `url(${images.get(node.fill.hash)})`
      element.dataset.imageHash = node.fill.hash
    }
    if (scene.selection.includes(node.id)) element.classList.add('selected')
    if (node.parentId === null) {
      const label = document.createElement('span')
      label.className = 'label'
      label.textContent = node.name
      element.append(label)
    }
    element.addEventListener('click', (event) => {
      event.stopPropagation()
      const top = node.parentId
        ? (scene.nodes.find(
            (candidate) => candidate.id === node.parentId && candidate.parentId === null,
          )?.id ?? node.id)
        : node.id
      const ids = event.shiftKey ? [...new Set([...scene.selection, top])] : [top]
      send({ kind: 'select', ids })
    })
    canvas.append(element)
  }
}

function showUi() {
  if (!uiHtml) return
  document.documentElement.dataset.theme = theme
  frame.srcdoc = `<!doctype html><html class="figma-${theme}"><head>${themeStyle(theme)}</head><body>${uiHtml}</body></html>`
}

function onHostMessage(event: MessageEvent<HostMessage>) {
  const message = event.data
  if (message.kind === 'show-ui') {
    uiHtml = message.html
    frame.style.width = `${message.width}px`
    frame.style.height = `${message.height}px`
    showUi()
  } else if (message.kind === 'to-ui') {
    frame.contentWindow?.postMessage({ pluginMessage: message.message }, '*')
  } else if (message.kind === 'image') {
    images.set(message.hash, URL.createObjectURL(new Blob([message.bytes as BlobPart])))
  } else if (message.kind === 'scene') {
    scene = message.snapshot
    render()
  } else if (message.kind === 'reference-measured') {
    measured.get(message.nodeId)?.(message)
    measured.delete(message.nodeId)
  } else if (message.kind === 'notify') {
    const item = document.createElement('div')
    item.className = message.error ? 'notice error' : 'notice'
    item.textContent = message.message
    notices.prepend(item)
  }
}

window.addEventListener('message', (event) => {
  if (event.source !== frame.contentWindow || !event.data || !('pluginMessage' in event.data))
    return
  send({ kind: 'from-ui', message: event.data.pluginMessage })
})

canvas.addEventListener('click', () => send({ kind: 'select', ids: [] }))

const SAMPLES: Record<string, FrameSpec> = {
  frame: {
    name: 'Landing hero',
    x: 0,
    y: 0,
    width: 1440,
    height: 900,
    colour: [235, 240, 250],
    children: [
      { name: 'Headline', x: 120, y: 260, width: 640, height: 120, colour: [30, 40, 80] },
      { name: 'Button', x: 120, y: 440, width: 220, height: 64, colour: [13, 153, 255] },
      { name: 'Product shot', x: 860, y: 180, width: 460, height: 540, colour: [250, 190, 60] },
    ],
  },
  phone: { name: 'Mobile mockup', x: 1600, y: 0, width: 375, height: 812, colour: [40, 44, 60] },
  card: { name: 'Product card', x: 2100, y: 0, width: 600, height: 600, colour: [220, 80, 90] },
}

async function sampleImageBytes(): Promise<Uint8Array> {
  const canvasElement = new OffscreenCanvas(800, 600)
  const context = canvasElement.getContext('2d')!
  const gradient = context.createLinearGradient(0, 0, 800, 600)
  gradient.addColorStop(0, '#ff9a3c')
  gradient.addColorStop(1, '#2a6fdb')
  context.fillStyle = gradient
  context.fillRect(0, 0, 800, 600)
  context.fillStyle = '#fff'
  context.beginPath()
  context.arc(400, 300, 160, 0, Math.PI * 2)
  context.fill()
  return new Uint8Array(
    await (await canvasElement.convertToBlob({ type: 'image/png' })).arrayBuffer(),
  )
}

const harness = {
  add(spec: FrameSpec, select = false) {
    send({ kind: 'add', spec, select })
  },
  addSample(name: keyof typeof SAMPLES, select = false) {
    send({ kind: 'add', spec: SAMPLES[name], select })
  },
  async addImage(select = false) {
    send({
      kind: 'add',
      spec: {
        name: 'Photo',
        x: 0,
        y: 1000,
        width: 800,
        height: 600,
        colour: [0, 0, 0],
        imageBytes: await sampleImageBytes(),
      },
      select,
    })
  },
  select(ids: string[]) {
    send({ kind: 'select', ids })
  },
  scene: () => scene,
  nodeByName: (name: string) => scene.nodes.find((node) => node.name === name) ?? null,
  /** The pixel size of an image on the canvas, read by decoding its bytes. */
  async imageSize(hash: string) {
    const url = images.get(hash)
    if (!url) return null
    const bitmap = await createImageBitmap(await (await fetch(url)).blob())
    return { width: bitmap.width, height: bitmap.height }
  },
  /** What the plugin would send for this layer as a reference: bytes, pixel size and format. */
  measureReference(nodeId: string) {
    return new Promise((resolve) => {
      measured.set(nodeId, resolve)
      send({ kind: 'measure-reference', nodeId })
    })
  },
  setTheme(next: Theme) {
    theme = next
    showUi()
  },
  reset() {
    send({ kind: 'reset' })
  },
}
Object.assign(window, { harness })

for (const button of document.querySelectorAll<HTMLButtonElement>('[data-sample]')) {
  button.addEventListener('click', () =>
    harness.addSample(button.dataset.sample as keyof typeof SAMPLES, true),
  )
}
document.getElementById('add-image')!.addEventListener('click', () => harness.addImage(true))
document
  .getElementById('theme')!
  .addEventListener('click', () => harness.setTheme(theme === 'light' ? 'dark' : 'light'))
document.getElementById('reset')!.addEventListener('click', () => harness.reset())

async function boot() {
  const html = await (await fetch('/build/ui.js')).text()
  host = new Worker('/main-host.js')
  host.onmessage = onHostMessage
  const token = params.get('token')
  const settings = token
    ? {
        workerUrl: params.get('worker') ?? 'http://localhost:8787',
        token,
        markAiGenerated: params.get('mark') === '1',
      }
    : null
  const command = params.get('command') ?? ''
  const generated = command
    ? {
        name: 'Generated hero',
        provenance: {
          prompt: params.get('prompt') ?? 'A lighthouse at dusk',
          model: 'gpt-image-2',
          size: '16:9',
          quality: 'high',
          requestId: 'earlier',
          provider: 'preview',
          preview: true,
        },
      }
    : null
  send({ kind: 'boot', mainUrl: '/build/main.js', uiHtml: html, command, settings, generated })
  if (params.get('samples') !== '0') {
    harness.addSample('frame')
    harness.addSample('phone')
    harness.addSample('card')
  }
  document.body.dataset.ready = 'true'
}

boot()
