import { THEME_LISTENER, type Theme, themeCss, themeStyle } from './figma-theme'
import type { FrameSpec, HostMessage, PageMessage, SceneSnapshot } from './scene-snapshot'

/**
 * The harness page plays Figma's host: it starts the main thread in a Web Worker, shows the plugin
 * UI in a sandboxed iframe (Origin "null", under the manifest's network allow-list as its
 * content-security policy, as in Figma), relays messages both ways, and draws the fake canvas so a
 * person, or a test, can see what the plugin did.
 */
const params = new URLSearchParams(location.search)
const canvas = document.getElementById('canvas')!
const frame = document.getElementById('plugin') as HTMLIFrameElement
const notices = document.getElementById('notices')!
const pageTabs = document.getElementById('pages')!
const images = new Map<string, string>()
let scene: SceneSnapshot = {
  nodes: [],
  selection: [],
  page: { id: '', name: '' },
  pages: [],
  running: false,
}
let theme: Theme = params.get('theme') === 'dark' ? 'dark' : 'light'
let uiHtml: string | null = null
let contentPolicy = ''
let host: Worker
const shownNotices: { message: string; error: boolean; button: string | null }[] = []
const measured = new Map<
  string,
  (result: Extract<HostMessage, { kind: 'reference-measured' }>) => void
>()

function send(message: PageMessage) {
  host.postMessage(message)
}

/**
 * Figma enforces networkAccess as the plugin window's content-security policy; a plugin in
 * development may also reach devAllowedDomains.
 */
function policyFrom(manifest: { networkAccess?: Record<string, string[]> }): string {
  const access = manifest.networkAccess ?? {}
  const domains = [...(access.allowedDomains ?? []), ...(access.devAllowedDomains ?? [])]
    .filter((domain) => domain !== 'none')
    .join(' ')
  return [
    `default-src data: blob: ${domains}`,
    "script-src 'unsafe-inline' 'unsafe-eval' data: blob:",
    "style-src 'unsafe-inline' data: blob:",
  ].join('; ')
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
  const place = (element: HTMLElement, node: SceneSnapshot['nodes'][number]) => {
    const position = absolute(node.id)
    Object.assign(element.style, {
      left: `${20 + (position.x - left) * scale}px`,
      top: `${20 + (position.y - upper) * scale}px`,
      width: `${node.width * scale}px`,
      height: `${Math.max(node.height * scale, node.type === 'LINE' ? 1 : 0)}px`,
      transform: node.rotation ? `rotate(${-node.rotation}deg)` : '',
    })
  }
  const outlines: HTMLElement[] = []
  for (const node of scene.nodes) {
    const element = document.createElement('div')
    element.className = 'node'
    element.dataset.id = node.id
    element.dataset.name = node.name
    element.title = node.name
    place(element, node)
    element.style.opacity = String(node.opacity)
    if (!node.visible) element.style.display = 'none'
    if (node.fill?.type === 'SOLID') element.style.background = node.fill.css
    if (node.type === 'LINE') element.style.background = '#1e1e1e'
    if (node.type === 'ELLIPSE') element.style.borderRadius = '50%'
    if (node.stroke && !node.path)
      element.style.boxShadow = `inset 0 0 0 ${Math.max(1, node.stroke.weight * scale)}px ${node.stroke.css}`
    if (node.path) {
      // Vectors (pencil strokes) are drawn from their path data, in their own coordinates.
      element.style.background = 'none'
      element.innerHTML = `<svg viewBox="0 0 ${node.width} ${node.height}" width="100%" height="100%" style="overflow:visible"><path d="${node.path}" fill="${node.fill?.type === 'SOLID' ? node.fill.css : 'none'}" stroke="${node.stroke?.css ?? 'none'}" stroke-width="${node.stroke?.weight ?? 0}" stroke-linecap="round" stroke-linejoin="round"/></svg>`
    }
    if (node.fill?.type === 'IMAGE') {
      element.style.backgroundImage = `url(${images.get(node.fill.hash)})`
      element.dataset.imageHash = node.fill.hash
    }
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
    if (scene.selection.includes(node.id)) {
      // Selection outlines are drawn above every layer, children included, as in Figma.
      const outline = document.createElement('div')
      outline.className = 'outline'
      place(outline, node)
      outlines.push(outline)
    }
  }
  canvas.append(...outlines)
  pageTabs.replaceChildren(
    ...scene.pages.map((page, index) => {
      const tab = document.createElement('button')
      tab.type = 'button'
      tab.textContent = page.name
      tab.setAttribute('aria-pressed', String(page.id === scene.page.id))
      tab.addEventListener('click', () => send({ kind: 'show-page', index }))
      return tab
    }),
  )
  document.body.dataset.running = String(scene.running)
}

function showUi() {
  document.documentElement.dataset.theme = theme
  if (!uiHtml) {
    frame.srcdoc = `<!doctype html><html><head>${themeStyle(theme)}</head><body><p style="font:12px Inter,sans-serif;padding:12px">Promptframe is closed. Use “Run Promptframe” above to open it again.</p></body></html>`
    return
  }
  const policy = `<meta http-equiv="Content-Security-Policy" content="${contentPolicy}">`
  frame.srcdoc = `<!doctype html><html class="figma-${theme}"><head>${policy}${themeStyle(theme)}${THEME_LISTENER}</head><body>${uiHtml}</body></html>`
}

function showNotice(message: Extract<HostMessage, { kind: 'notify' }>) {
  shownNotices[message.index] = message
  const item = document.createElement('div')
  item.className = message.error ? 'notice error' : 'notice'
  item.dataset.notice = String(message.index)
  item.textContent = message.message
  if (message.button) {
    const action = document.createElement('button')
    action.type = 'button'
    action.textContent = message.button
    action.addEventListener('click', () => {
      send({ kind: 'notify-action', index: message.index })
      item.remove()
    })
    item.append(' ', action)
  }
  notices.prepend(item)
}

function onHostMessage(event: MessageEvent<HostMessage>) {
  const message = event.data
  if (message.kind === 'show-ui') {
    uiHtml = message.html
    frame.style.width = `${message.width}px`
    frame.style.height = `${message.height}px`
    showUi()
  } else if (message.kind === 'resize-ui') {
    frame.style.width = `${message.width}px`
    frame.style.height = `${message.height}px`
  } else if (message.kind === 'to-ui') {
    frame.contentWindow?.postMessage({ pluginMessage: message.message }, '*')
  } else if (message.kind === 'closed') {
    // The window goes with the plugin, and with it every request it had running.
    uiHtml = null
    showUi()
  } else if (message.kind === 'image') {
    images.set(message.hash, URL.createObjectURL(new Blob([message.bytes as BlobPart])))
  } else if (message.kind === 'scene') {
    scene = message.snapshot
    render()
  } else if (message.kind === 'reference-measured') {
    measured.get(message.nodeId)?.(message)
    measured.delete(message.nodeId)
  } else if (message.kind === 'notify') {
    showNotice(message)
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

/**
 * A sample photo: a gradient with a disc; `grain` adds per-pixel noise, so a large one weighs what a
 * real photo does, as JPEG.
 */
async function sampleImageBytes(width = 800, height = 600, grain = false): Promise<Uint8Array> {
  const canvasElement = new OffscreenCanvas(width, height)
  const context = canvasElement.getContext('2d')!
  const gradient = context.createLinearGradient(0, 0, width, height)
  gradient.addColorStop(0, '#ff9a3c')
  gradient.addColorStop(1, '#2a6fdb')
  context.fillStyle = gradient
  context.fillRect(0, 0, width, height)
  context.fillStyle = '#fff'
  context.beginPath()
  context.arc(width / 2, height / 2, Math.min(width, height) * 0.27, 0, Math.PI * 2)
  context.fill()
  if (grain) {
    const pixels = context.getImageData(0, 0, width, height)
    for (let i = 0; i < pixels.data.length; i += 4) {
      const noise = (Math.random() - 0.5) * 24
      for (let c = 0; c < 3; c++) pixels.data[i + c] += noise
    }
    context.putImageData(pixels, 0, 0)
  }
  const type = grain ? 'image/jpeg' : 'image/png'
  return new Uint8Array(
    await (await canvasElement.convertToBlob({ type, quality: 0.9 })).arrayBuffer(),
  )
}

const harness = {
  add(spec: FrameSpec, select = false) {
    send({ kind: 'add', spec, select })
  },
  addSample(name: keyof typeof SAMPLES, select = false) {
    send({ kind: 'add', spec: SAMPLES[name], select })
  },
  async addImage(select = false, spec: Partial<FrameSpec> = {}) {
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
        ...spec,
      },
      select,
    })
  },
  /** A photo of real weight (a grainy JPEG) at a given pixel size, shown 1:1. */
  async addPhoto(name: string, width: number, height: number, select = false) {
    send({
      kind: 'add',
      spec: {
        name,
        x: 0,
        y: 0,
        width,
        height,
        colour: [0, 0, 0],
        imageBytes: await sampleImageBytes(width, height, true),
      },
      select,
    })
  },
  /** An image layer and an ellipse drawn over part of it, both selected, ready for Edit area. */
  async addPhotoWithArea() {
    const both = () => scene.nodes.filter((node) => node.name === 'Photo' || node.name === 'Area')
    const before = both().length
    await this.addImage(false, { name: 'Photo', x: 0, y: 1000 })
    this.add({
      name: 'Area',
      type: 'ELLIPSE',
      x: 300,
      y: 1150,
      width: 200,
      height: 150,
      colour: [255, 60, 60],
    })
    // The scene shown here comes back from the main thread by message: select once it has both,
    // however long a loaded machine takes (a fixed 50 ms once selected only part of them).
    for (let waited = 0; both().length < before + 2 && waited < 10_000; waited += 20)
      await new Promise((resolve) => setTimeout(resolve, 20))
    this.select(both().map((node) => node.id))
  },
  select(ids: string[]) {
    send({ kind: 'select', ids })
  },
  /** Deletes layers, as a designer (or a collaborator) would. */
  remove(ids: string[]) {
    send({ kind: 'remove', ids })
  },
  /** Cmd+Z while the plugin runs: its changes since its last commitUndo are taken back. */
  undo() {
    send({ kind: 'undo' })
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
  /** Exports of one layer (or of every layer) take this long from now on. */
  setExportDelay(ms: number, nodeId: string | null = null) {
    send({ kind: 'export-delay', ms, nodeId })
  },
  /** Closes the plugin, as the close button of its window does. */
  close() {
    send({ kind: 'close' })
  },
  /** Runs the plugin again over the same document, selection and clientStorage. */
  reopen(command = '') {
    send({ kind: 'reopen', command })
  },
  addPage(name: string) {
    send({ kind: 'add-page', name })
  },
  showPage(index: number) {
    send({ kind: 'show-page', index })
  },
  notices: () => shownNotices,
  setTheme(next: Theme) {
    theme = next
    document.documentElement.dataset.theme = theme
    // As Figma does: the open plugin gets the new colours in place, keeping its state.
    frame.contentWindow?.postMessage({ harnessTheme: { name: theme, css: themeCss(theme) } }, '*')
  },
  reset() {
    send({ kind: 'reset' })
  },
}
// The canvas's images by hash, as blob URLs, so tests can read their pixels.
Object.assign(window, { harness, harnessImages: images })

for (const button of document.querySelectorAll<HTMLButtonElement>('[data-sample]')) {
  button.addEventListener('click', () =>
    harness.addSample(button.dataset.sample as keyof typeof SAMPLES, true),
  )
}
document.getElementById('add-image')!.addEventListener('click', () => harness.addImage(true))
document.getElementById('add-area')!.addEventListener('click', () => harness.addPhotoWithArea())
document
  .getElementById('theme')!
  .addEventListener('click', () => harness.setTheme(theme === 'light' ? 'dark' : 'light'))
document.getElementById('reset')!.addEventListener('click', () => harness.reset())
document.getElementById('close')!.addEventListener('click', () => harness.close())
document.getElementById('run')!.addEventListener('click', () => harness.reopen())

async function boot() {
  const [html, manifest] = await Promise.all([
    fetch('/build/ui.js').then((response) => response.text()),
    fetch('/manifest.json').then((response) => response.json()),
  ])
  contentPolicy = policyFrom(manifest)
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
        name: params.get('layer') ?? 'Generated hero',
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
