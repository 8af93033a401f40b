import { imageInfo } from '../../../shared/image-info'
import {
  FakeFrame,
  FakeGroup,
  FakePage,
  FakeRectangle,
  type FakeSceneNode,
  type Rasterize,
} from './fake-nodes'

export interface FakeImage {
  hash: string
  bytes: Uint8Array
  width: number
  height: number
}

export interface FakeFigmaOptions {
  rasterize: Rasterize
  command?: string
  /** Where figma.ui.postMessage sends its messages (to the plugin UI). */
  toUi?: (message: unknown) => void
  onShowUI?: (html: string, options: ShowUIOptions | undefined) => void
  onChange?: () => void
}

/** figma.createImage takes PNG, JPEG or GIF, at most 4096 px a side. */
export const MAX_IMAGE_SIDE = 4096
/** clientStorage's quota per plugin. */
export const CLIENT_STORAGE_QUOTA = 5 * 1024 * 1024

function gifSize(bytes: Uint8Array) {
  const signature = String.fromCharCode(...bytes.subarray(0, 6))
  return signature === 'GIF87a' || signature === 'GIF89a'
    ? { width: bytes[6] | (bytes[7] << 8), height: bytes[8] | (bytes[9] << 8) }
    : null
}

function contentHash(bytes: Uint8Array): string {
  let a = 0x811c9dc5
  let b = 0x01000193
  for (let i = 0; i < bytes.length; i++) {
    a = Math.imul(a ^ bytes[i], 0x01000193)
    b = Math.imul(b ^ bytes[i], 0x5bd1e995)
  }
  return `${(a >>> 0).toString(16).padStart(8, '0')}${(b >>> 0).toString(16).padStart(8, '0')}${bytes.length.toString(16).padStart(24, '0')}`
}

function storedSize(value: unknown): number {
  if (value instanceof Uint8Array) return value.length
  if (Array.isArray(value)) return value.reduce((sum: number, item) => sum + storedSize(item), 0)
  if (value && typeof value === 'object')
    return Object.entries(value).reduce(
      (sum, [key, item]) => sum + key.length + storedSize(item),
      0,
    )
  return JSON.stringify(value ?? null).length
}

/**
 * The part of the Figma plugin API that Promptframe's main thread uses, in memory. Members are
 * typed by @figma/plugin-typings via `Pick` so the fake cannot drift from the real signatures.
 */
export class FakeFigma
  implements
    Pick<
      PluginAPI,
      | 'editorType'
      | 'commitUndo'
      | 'getImageByHash'
      | 'createImage'
      | 'notify'
      | 'getNodeByIdAsync'
      | 'showUI'
    >
{
  readonly mixed: symbol = Symbol('figma.mixed')
  readonly editorType = 'figma' as const
  readonly command: string
  readonly currentPage: FakePage
  readonly images = new Map<string, FakeImage>()
  readonly notifications: { message: string; error: boolean }[] = []
  readonly storage = new Map<string, unknown>()
  undoSteps = 0
  scrolledTo: string[][] = []
  uiHtml: string | null = null
  readonly #nodes = new Map<string, FakeSceneNode>()
  readonly #selectionHandlers: (() => void)[] = []
  #idCounter = 1
  readonly #env

  constructor(private readonly options: FakeFigmaOptions) {
    this.command = options.command ?? ''
    this.#env = {
      rasterize: options.rasterize,
      nextId: () => `1:${++this.#idCounter}`,
      changed: () => options.onChange?.(),
      removeNode: (node: FakeSceneNode) => this.#nodes.delete(node.id),
      selectionChanged: () => {
        for (const handler of this.#selectionHandlers) handler()
        options.onChange?.()
      },
    }
    this.currentPage = new FakePage(this.#env)
  }

  readonly viewport = {
    center: { x: 0, y: 0 },
    zoom: 1,
    scrollAndZoomIntoView: (nodes: readonly BaseNode[]) => {
      this.scrolledTo.push(nodes.map((node) => node.id))
    },
  }

  readonly clientStorage = {
    getAsync: async (key: string) => structuredClone(this.storage.get(key)),
    setAsync: async (key: string, value: unknown) => {
      const total = [...this.storage.entries()]
        .filter(([k]) => k !== key)
        .reduce((sum, [, v]) => sum + storedSize(v), 0)
      if (total + storedSize(value) > CLIENT_STORAGE_QUOTA)
        throw new Error('clientStorage quota exceeded')
      this.storage.set(key, structuredClone(value))
    },
    deleteAsync: async (key: string) => {
      this.storage.delete(key)
    },
    keysAsync: async () => [...this.storage.keys()],
  }

  readonly ui = {
    onmessage: undefined as MessageEventHandler | undefined,
    postMessage: (message: unknown) => this.options.toUi?.(structuredClone(message)),
  }

  /** Plays the UI's `parent.postMessage({ pluginMessage })` arriving in the main thread. */
  deliverFromUi(message: unknown) {
    this.ui.onmessage?.(structuredClone(message), { origin: 'null' } as OnMessageProperties)
  }

  #track<T extends FakeSceneNode>(node: T): T {
    this.#nodes.set(node.id, node)
    return node
  }

  createFrame(): FakeFrame {
    const frame = this.#track(new FakeFrame(this.#env))
    this.currentPage.appendChild(frame)
    return frame
  }

  createRectangle(): FakeRectangle {
    const rectangle = this.#track(new FakeRectangle(this.#env))
    this.currentPage.appendChild(rectangle)
    return rectangle
  }

  createGroupOf(children: FakeSceneNode[]): FakeGroup {
    const group = this.#track(new FakeGroup(this.#env))
    this.currentPage.appendChild(group)
    for (const child of children) group.appendChild(child)
    return group
  }

  createImage(data: Uint8Array): Image {
    const info = imageInfo(data)
    const size = info && info.mimeType !== 'image/webp' ? info : gifSize(data)
    if (!size) throw new Error('Image type is unsupported')
    if (size.width > MAX_IMAGE_SIDE || size.height > MAX_IMAGE_SIDE)
      throw new Error('Image is too large')
    const hash = contentHash(data)
    this.images.set(hash, { hash, bytes: data.slice(), width: size.width, height: size.height })
    return this.getImageByHash(hash)!
  }

  getImageByHash(hash: string): Image | null {
    const image = this.images.get(hash)
    if (!image) return null
    return {
      hash,
      getBytesAsync: async () => image.bytes.slice(),
      getSizeAsync: async () => ({ width: image.width, height: image.height }),
    }
  }

  async getNodeByIdAsync(id: string): Promise<BaseNode | null> {
    if (id === this.currentPage.id) return this.currentPage as unknown as BaseNode
    const node = this.#nodes.get(id)
    return node && !node.removed ? (node as unknown as BaseNode) : null
  }

  getNodeById(): never {
    throw new Error(
      'Cannot call getNodeById with documentAccess: dynamic-page. Use figma.getNodeByIdAsync instead.',
    )
  }

  commitUndo() {
    this.undoSteps++
  }

  notify(message: string, options?: NotificationOptions): NotificationHandler {
    this.notifications.push({ message, error: Boolean(options?.error) })
    return { cancel: () => {} }
  }

  on(type: string, handler: () => void) {
    if (type === 'selectionchange') this.#selectionHandlers.push(handler)
  }

  showUI(html: string, options?: ShowUIOptions) {
    this.uiHtml = html
    this.options.onShowUI?.(html, options)
  }

  closePlugin() {}

  /** The fake as the `figma` global the plugin code expects. */
  asPluginApi(): PluginAPI {
    return this as unknown as PluginAPI
  }
}
