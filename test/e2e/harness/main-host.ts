/// <reference lib="webworker" />
import { exportReference } from '../../../plugin/main-thread/export-reference'
import { FakeFigma } from '../../plugin/fake-figma/fake-figma'
import type { FakeSceneNode, Rasterize } from '../../plugin/fake-figma/fake-nodes'
import type {
  FrameSpec,
  HostMessage,
  PageMessage,
  SceneSnapshot,
  SnapshotNode,
} from './scene-snapshot'

/**
 * Figma's main thread for the harness: a Web Worker (no `window`, like Figma's sandbox) that runs
 * the real build/main.js against the fake API and reports the scene to the page.
 */
const host = self as unknown as DedicatedWorkerGlobalScope & { figma: PluginAPI; __html__: string }
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
      parentId,
      fill: fillOf(node),
      provenance: node.getPluginData('provenance'),
    })
    if ('children' in node)
      walk((node as unknown as { children: FakeSceneNode[] }).children, node.id, out)
  }
}

async function drawNode(
  context: OffscreenCanvasRenderingContext2D,
  node: FakeSceneNode,
  scale: number,
  originX: number,
  originY: number,
) {
  const fill = fillOf(node)
  const x = (node.absoluteBoundingBox.x - originX) * scale
  const y = (node.absoluteBoundingBox.y - originY) * scale
  const width = node.width * scale
  const height = node.height * scale
  if (fill?.type === 'SOLID') {
    context.fillStyle = fill.css
    context.fillRect(x, y, width, height)
  } else if (fill?.type === 'IMAGE') {
    const image = figma.images.get(fill.hash)
    if (image) {
      const bitmap = await createImageBitmap(new Blob([image.bytes as BlobPart]))
      const cover = Math.max(width / bitmap.width, height / bitmap.height)
      const drawWidth = bitmap.width * cover
      const drawHeight = bitmap.height * cover
      context.save()
      context.beginPath()
      context.rect(x, y, width, height)
      context.clip()
      context.drawImage(
        bitmap,
        x + (width - drawWidth) / 2,
        y + (height - drawHeight) / 2,
        drawWidth,
        drawHeight,
      )
      context.restore()
    }
  }
  for (const child of (node as unknown as { children?: FakeSceneNode[] }).children ?? []) {
    await drawNode(context, child, scale, originX, originY)
  }
}

/** Renders a layer the way Figma's exporter would: its fills and children, encoded as PNG or JPEG. */
const canvasRasterize: Rasterize = async (node, width, height, format) => {
  const canvas = new OffscreenCanvas(width, height)
  const context = canvas.getContext('2d')!
  const box = node.absoluteBoundingBox
  await drawNode(context, node, width / node.width, box.x, box.y)
  const blob = await canvas.convertToBlob({
    type: format === 'JPG' ? 'image/jpeg' : 'image/png',
    quality: 0.9,
  })
  return new Uint8Array(await blob.arrayBuffer())
}

let sentImages = new Set<string>()
let snapshotQueued = false

function snapshot(): SceneSnapshot {
  const nodes: SnapshotNode[] = []
  walk(figma.currentPage.children, null, nodes)
  return { nodes, selection: figma.currentPage.selection.map((node) => node.id) }
}

function queueSnapshot() {
  if (snapshotQueued) return
  snapshotQueued = true
  setTimeout(() => {
    snapshotQueued = false
    for (const image of figma.images.values()) {
      if (sentImages.has(image.hash)) continue
      sentImages.add(image.hash)
      post({ kind: 'image', hash: image.hash, bytes: image.bytes })
    }
    post({ kind: 'scene', snapshot: snapshot() })
  }, 0)
}

let figma: FakeFigma

function createFake(command: string) {
  figma = new FakeFigma({
    rasterize: canvasRasterize,
    command,
    toUi: (message) => post({ kind: 'to-ui', message }),
    onShowUI: (html, options) =>
      post({ kind: 'show-ui', html, width: options?.width ?? 300, height: options?.height ?? 200 }),
    onChange: queueSnapshot,
  })
  const notify = figma.notify.bind(figma)
  figma.notify = (message, options) => {
    post({ kind: 'notify', message, error: Boolean(options?.error) })
    return notify(message, options)
  }
  sentImages = new Set()
  host.figma = figma.asPluginApi()
}

function add(spec: FrameSpec, parent?: { appendChild(node: FakeSceneNode): void }): FakeSceneNode {
  const node = spec.imageBytes ? figma.createRectangle() : figma.createFrame()
  parent?.appendChild(node)
  node.name = spec.name
  node.x = spec.x
  node.y = spec.y
  node.resize(spec.width, spec.height)
  const [r, g, b] = spec.colour
  ;(node as unknown as { fills: Paint[] }).fills = spec.imageBytes
    ? [{ type: 'IMAGE', scaleMode: 'FILL', imageHash: figma.createImage(spec.imageBytes).hash }]
    : [{ type: 'SOLID', color: { r: r / 255, g: g / 255, b: b / 255 } }]
  for (const child of spec.children ?? [])
    add(child, node as unknown as { appendChild(node: FakeSceneNode): void })
  return node
}

host.onmessage = async (event: MessageEvent<PageMessage>) => {
  const message = event.data
  if (message.kind === 'boot') {
    createFake(message.command)
    if (message.settings) {
      await figma.clientStorage.setAsync('promptframe.settings', message.settings)
    }
    if (message.generated) {
      const node = add({
        name: message.generated.name,
        x: 0,
        y: -1400,
        width: 1920,
        height: 1080,
        colour: [120, 180, 200],
      })
      node.setPluginData('provenance', JSON.stringify(message.generated.provenance))
      node.setRelaunchData({ vary: '', restyle: '' })
      figma.currentPage.selection = [node]
    }
    host.__html__ = message.uiHtml
    host.importScripts(message.mainUrl)
  } else if (message.kind === 'from-ui') {
    figma.deliverFromUi(message.message)
  } else if (message.kind === 'select') {
    const nodes = await Promise.all(message.ids.map((id) => figma.getNodeByIdAsync(id)))
    figma.currentPage.selection = nodes.filter(Boolean) as unknown as FakeSceneNode[]
  } else if (message.kind === 'add') {
    const node = add(message.spec)
    if (message.select) figma.currentPage.selection = [node]
  } else if (message.kind === 'measure-reference') {
    // The plugin's own export code, run against the fake, to measure what a reference costs to send.
    const node = await figma.getNodeByIdAsync(message.nodeId)
    const reference = await exportReference(node as unknown as SceneNode)
    post({
      kind: 'reference-measured',
      nodeId: message.nodeId,
      bytes: reference.bytes.length,
      width: reference.width,
      height: reference.height,
      mimeType: reference.mimeType,
    })
  } else if (message.kind === 'reset') {
    for (const node of [...figma.currentPage.children]) node.remove()
  }
}
