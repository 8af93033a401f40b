/// <reference lib="webworker" />
import { exportReference } from '../../../plugin/main-thread/export-reference'
import { FakeDocument, FakeFigma, type FakeNotification } from '../../plugin/fake-figma/fake-figma'
import type { FakeInstance, FakeSceneNode, Rasterize } from '../../plugin/fake-figma/fake-nodes'
import type {
  FrameSpec,
  HostMessage,
  PageMessage,
  SceneSnapshot,
  SnapshotNode,
} from './scene-snapshot'

/**
 * Figma's main thread for the harness: a Web Worker (no `window`, like Figma's sandbox) that runs
 * the real build/main.js against the fake API and reports the scene to the page. The document
 * outlives each run of the plugin, so the plugin can be closed and run again over it.
 */
const host = self as unknown as DedicatedWorkerGlobalScope
const post = (message: HostMessage) => host.postMessage(message)

function fillOf(node: FakeSceneNode): SnapshotNode['fill'] {
  const fills = (node as { fills?: readonly Paint[] }).fills
  const paint = fills?.[0]
  if (!paint) return null
  if (paint.type === 'IMAGE' && paint.imageHash) return { type: 'IMAGE', hash: paint.imageHash }
  if (paint.type === 'SOLID') {
    const { r, g, b } = paint.color
    return {
      type: 'SOLID',
      css: `rgb(${Math.round(r * 255)} ${Math.round(g * 255)} ${Math.round(b * 255)})`,
    }
  }
  return null
}

const childrenOf = (node: FakeSceneNode) =>
  (node as unknown as { children?: FakeSceneNode[] }).children ?? []

const css = ({ r, g, b }: RGB) =>
  `rgb(${Math.round(r * 255)} ${Math.round(g * 255)} ${Math.round(b * 255)})`

function strokeOf(node: FakeSceneNode): SnapshotNode['stroke'] {
  const strokes = (node as { strokes?: readonly Paint[] }).strokes ?? []
  const paint = strokes.find((candidate): candidate is SolidPaint => candidate.type === 'SOLID')
  const weight = (node as { strokeWeight?: number }).strokeWeight ?? 0
  return paint && weight > 0 ? { css: css(paint.color), weight } : null
}

const pathOf = (node: FakeSceneNode) =>
  (node as { vectorPaths?: VectorPaths }).vectorPaths?.map((path) => path.data).join(' ') || null

function walk(nodes: FakeSceneNode[], parentId: string | null, out: SnapshotNode[]) {
  for (const node of nodes) {
    out.push({
      id: node.id,
      type: node.type,
      name: node.name,
      x: node.x,
      y: node.y,
      width: node.width,
      height: node.height,
      rotation: node.rotation,
      opacity: node.opacity,
      visible: node.visible,
      path: pathOf(node),
      stroke: strokeOf(node),
      parentId,
      fill: fillOf(node),
      provenance:
        node.getSharedPluginData('promptframe', 'provenance') || node.getPluginData('provenance'),
    })
    walk(childrenOf(node), node.id, out)
  }
}

/** The layer's outline in its own space, scaled: a rectangle, an ellipse, or a vector's path. */
function outlineOf(node: FakeSceneNode, width: number, height: number, scale: number): Path2D {
  const path = new Path2D()
  const data = pathOf(node)
  if (data) path.addPath(new Path2D(data), new DOMMatrix().scale(scale))
  else if (node.type === 'ELLIPSE')
    path.ellipse(width / 2, height / 2, width / 2, height / 2, 0, 0, Math.PI * 2)
  else path.rect(0, 0, width, height)
  return path
}

async function drawNode(
  context: OffscreenCanvasRenderingContext2D,
  node: FakeSceneNode,
  scale: number,
  origin: { x: number; y: number },
) {
  if (!node.visible) return
  const fill = fillOf(node)
  const stroke = strokeOf(node)
  const at = node.absoluteTransformOrigin
  const width = node.width * scale
  const height = node.height * scale
  const outline = outlineOf(node, width, height, scale)
  context.save()
  context.translate((at.x - origin.x) * scale, (at.y - origin.y) * scale)
  context.rotate((-node.rotation * Math.PI) / 180)
  context.globalAlpha *= node.opacity
  if (fill?.type === 'SOLID') {
    context.fillStyle = fill.css
    context.fill(outline)
  } else if (fill?.type === 'IMAGE') {
    const image = document.images.get(fill.hash)
    if (image) {
      const bitmap = await createImageBitmap(new Blob([image.bytes as BlobPart]))
      const cover = Math.max(width / bitmap.width, height / bitmap.height)
      const drawWidth = bitmap.width * cover
      const drawHeight = bitmap.height * cover
      context.save()
      context.clip(outline)
      context.drawImage(
        bitmap,
        (width - drawWidth) / 2,
        (height - drawHeight) / 2,
        drawWidth,
        drawHeight,
      )
      context.restore()
    }
  }
  if (stroke) {
    context.strokeStyle = stroke.css
    context.lineWidth = stroke.weight * scale
    context.lineCap = 'round'
    context.lineJoin = 'round'
    context.stroke(outline)
  }
  // A frame that clips its content shows its children only inside its own bounds.
  if ((node as { clipsContent?: boolean }).clipsContent) context.clip(outline)
  context.setTransform(1, 0, 0, 1, 0, 0)
  for (const child of childrenOf(node)) await drawNode(context, child, scale, origin)
  context.restore()
}

/** Renders a layer the way Figma's exporter would: its fills and children, encoded as PNG or JPEG. */
const canvasRasterize: Rasterize = async (node, width, height, format) => {
  const canvas = new OffscreenCanvas(width, height)
  const context = canvas.getContext('2d')!
  const bounds = node.absoluteRenderBounds
  await drawNode(context, node, width / bounds.width, bounds)
  const blob = await canvas.convertToBlob({
    type: format === 'JPG' ? 'image/jpeg' : 'image/png',
    quality: 0.9,
  })
  return new Uint8Array(await blob.arrayBuffer())
}

let document: FakeDocument
/** The running plugin; null before it first runs. */
let figma: FakeFigma | null = null
/** The designer's hands: the harness's own changes go through an API that never closes. */
let designer: FakeFigma
let mainCode = ''
let uiHtml = ''
let notifications: FakeNotification[] = []
let sentImages = new Set<string>()
let snapshotQueued = false

function snapshot(): SceneSnapshot {
  const nodes: SnapshotNode[] = []
  const page = document.currentPage
  walk(page.children, null, nodes)
  return {
    nodes,
    selection: page.selection.map((node) => node.id),
    page: { id: page.id, name: page.name },
    pages: document.pages.map(({ id, name }) => ({ id, name })),
    running: figma !== null && !figma.closed,
  }
}

function queueSnapshot() {
  if (snapshotQueued) return
  snapshotQueued = true
  setTimeout(() => {
    snapshotQueued = false
    for (const image of document.images.values()) {
      if (sentImages.has(image.hash)) continue
      sentImages.add(image.hash)
      post({ kind: 'image', hash: image.hash, bytes: image.bytes })
    }
    post({ kind: 'scene', snapshot: snapshot() })
  }, 0)
}

/** Timers of one run of the plugin, cancelled when it closes, as Figma cancels them. */
function timersFor(run: () => FakeFigma | null) {
  // Node's timer types are in scope for the tests; in this worker, timers are numbers.
  const live = new Set<number>()
  const guard =
    (callback: (...args: unknown[]) => void) =>
    (...args: unknown[]) => {
      if (!run()?.closed) callback(...args)
    }
  return {
    setTimeout: (callback: () => void, ms?: number, ...args: unknown[]) => {
      const id = setTimeout(guard(callback), ms, ...args) as unknown as number
      live.add(id)
      return id
    },
    setInterval: (callback: () => void, ms?: number, ...args: unknown[]) => {
      const id = setInterval(guard(callback), ms, ...args) as unknown as number
      live.add(id)
      return id
    },
    clearTimeout: (id: number) => clearTimeout(id),
    clearInterval: (id: number) => clearInterval(id),
    cancelAll: () => {
      for (const id of live) clearTimeout(id)
      live.clear()
    },
  }
}

/**
 * Runs build/main.js once, as Figma runs a plugin: its own `figma` and timers, so after it closes
 * nothing it left behind can reach the document through a live API.
 */
function runPlugin(command: string) {
  const session: FakeFigma = new FakeFigma({
    document,
    command,
    toUi: (message) => post({ kind: 'to-ui', message }),
    onShowUI: (html, options) =>
      post({ kind: 'show-ui', html, width: options?.width ?? 100, height: options?.height ?? 100 }),
    onResizeUI: (width, height) => post({ kind: 'resize-ui', width, height }),
    onNotify: (notification) => {
      notifications.push(notification)
      post({
        kind: 'notify',
        index: notifications.length - 1,
        message: notification.message,
        error: notification.error,
        button: notification.button?.text ?? null,
      })
    },
    onClose: () => {
      timers.cancelAll()
      post({ kind: 'closed' })
      queueSnapshot()
    },
  })
  const timers = timersFor(() => session)
  figma = session
  const start = new Function(
    'figma',
    '__html__',
    'setTimeout',
    'setInterval',
    'clearTimeout',
    'clearInterval',
    mainCode,
  )
  start(
    session.asPluginApi(),
    uiHtml,
    timers.setTimeout,
    timers.setInterval,
    timers.clearTimeout,
    timers.clearInterval,
  )
  queueSnapshot()
}

function add(spec: FrameSpec, parent?: { appendChild(node: FakeSceneNode): void }): FakeSceneNode {
  const api = designer
  const type = spec.type ?? (spec.imageBytes ? 'RECTANGLE' : 'FRAME')
  const create: Record<string, () => FakeSceneNode> = {
    FRAME: () => api.createFrame(),
    RECTANGLE: () => api.createRectangle(),
    ELLIPSE: () => api.createEllipse(),
    VECTOR: () => api.createVector(),
    LINE: () => api.createLine(),
    TEXT: () => api.createText(),
    SECTION: () => api.createSection(),
    COMPONENT: () => api.createComponent(),
    INSTANCE: () => api.createInstance(),
    GROUP: () => api.createGroupOf([]),
  }
  const node = create[type]()
  // An instance's layers come from its main component in Figma: the fake's stand-in adopts them.
  if (parent && 'adopt' in parent) (parent as FakeInstance).adopt(node)
  else parent?.appendChild(node)
  node.name = spec.name
  node.x = spec.x
  node.y = spec.y
  if (type === 'LINE') node.resize(spec.width, 0)
  else if (type !== 'GROUP') node.resize(spec.width, spec.height)
  if (spec.rotation) node.rotation = spec.rotation
  if (spec.opacity !== undefined) node.opacity = spec.opacity
  if (spec.path)
    (node as unknown as { vectorPaths: VectorPaths }).vectorPaths = [
      { windingRule: 'NONZERO', data: spec.path },
    ]
  if (spec.stroke) {
    const [sr, sg, sb] = spec.stroke.colour
    const stroked = node as unknown as { strokes: Paint[]; strokeWeight: number }
    stroked.strokes = [{ type: 'SOLID', color: { r: sr / 255, g: sg / 255, b: sb / 255 } }]
    stroked.strokeWeight = spec.stroke.weight
  }
  const [r, g, b] = spec.colour
  if (spec.noFill) (node as unknown as { fills: Paint[] }).fills = []
  else if ('fills' in node && type !== 'LINE')
    (node as unknown as { fills: Paint[] }).fills = spec.imageBytes
      ? [
          {
            type: 'IMAGE',
            scaleMode: spec.scaleMode ?? 'FILL',
            imageHash: api.createImage(spec.imageBytes).hash,
          },
        ]
      : [{ type: 'SOLID', color: { r: r / 255, g: g / 255, b: b / 255 } }]
  for (const child of spec.children ?? [])
    add(child, node as unknown as { appendChild(node: FakeSceneNode): void })
  return node
}

/** A designer's own change: not part of the plugin's undo step. */
function asDesigner<T>(change: () => T): T {
  const result = change()
  document.commitPending()
  return result
}

async function nodesById(ids: string[]): Promise<FakeSceneNode[]> {
  return ids
    .map((id) => document.node(id))
    .filter((node): node is FakeSceneNode => node !== null && !node.removed && 'parent' in node)
}

let markBooted: () => void
const booted = new Promise<void>((resolve) => {
  markBooted = resolve
})

host.onmessage = async (event: MessageEvent<PageMessage>) => {
  const message = event.data
  // The page sends its sample layers right after boot; they wait until the document exists.
  if (message.kind !== 'boot') await booted
  if (message.kind === 'boot') {
    document = new FakeDocument({ rasterize: canvasRasterize, onChange: queueSnapshot })
    sentImages = new Set()
    notifications = []
    mainCode = await (await fetch(message.mainUrl)).text()
    uiHtml = message.uiHtml
    designer = new FakeFigma({ document })
    if (message.settings)
      await designer.clientStorage.setAsync('promptframe.settings', message.settings)
    if (message.generated) {
      const node = asDesigner(() =>
        add({
          name: message.generated!.name,
          x: 0,
          y: -1400,
          width: 1920,
          height: 1080,
          colour: [120, 180, 200],
        }),
      )
      node.setSharedPluginData(
        'promptframe',
        'provenance',
        JSON.stringify(message.generated.provenance),
      )
      node.setRelaunchData({ vary: '', restyle: '' })
      document.currentPage.selection = [node]
    }
    runPlugin(message.command)
    markBooted()
  } else if (message.kind === 'from-ui') {
    try {
      figma?.deliverFromUi(message.message)
    } catch (error) {
      console.error('main thread:', error)
    }
  } else if (message.kind === 'select') {
    document.currentPage.selection = await nodesById(message.ids)
  } else if (message.kind === 'add') {
    const node = asDesigner(() => add(message.spec))
    if (message.select) document.currentPage.selection = [node]
  } else if (message.kind === 'remove') {
    const nodes = await nodesById(message.ids)
    asDesigner(() => {
      for (const node of nodes) node.remove()
    })
  } else if (message.kind === 'undo') {
    document.undoPending()
  } else if (message.kind === 'measure-reference') {
    // The plugin's own export code, run against the fake, to measure what a reference costs to send.
    const node = document.node(message.nodeId)
    const previous = (self as unknown as { figma?: PluginAPI }).figma
    ;(self as unknown as { figma?: PluginAPI }).figma = designer.asPluginApi()
    const reference = await exportReference(node as unknown as SceneNode)
    ;(self as unknown as { figma?: PluginAPI }).figma = previous
    post({
      kind: 'reference-measured',
      nodeId: message.nodeId,
      bytes: reference.bytes.length,
      width: reference.width,
      height: reference.height,
      mimeType: reference.mimeType,
    })
  } else if (message.kind === 'reset') {
    asDesigner(() => {
      for (const node of [...document.currentPage.children]) node.remove()
    })
  } else if (message.kind === 'close') {
    figma?.closePlugin()
  } else if (message.kind === 'reopen') {
    figma?.closePlugin()
    runPlugin(message.command)
  } else if (message.kind === 'export-delay') {
    if (message.nodeId) document.exportDelays.set(message.nodeId, message.ms)
    else document.defaultExportDelayMs = message.ms
  } else if (message.kind === 'add-page') {
    document.addPage(message.name)
  } else if (message.kind === 'show-page') {
    const page = document.pages[message.index]
    // The running plugin hears of the change, as Figma reports a page change to it.
    if (page)
      await (figma && !figma.closed ? figma : designer).setCurrentPageAsync(
        page as unknown as PageNode,
      )
  } else if (message.kind === 'notify-action') {
    notifications[message.index]?.button?.action()
  }
}
