import { imageInfo } from '../../../shared/image-info'
import {
  FakeComponent,
  FakeEllipse,
  type FakeEnvironment,
  FakeFrame,
  FakeGroup,
  FakeInstance,
  FakeLine,
  FakePage,
  FakeRectangle,
  type FakeSceneNode,
  FakeSection,
  FakeText,
  FakeVector,
  type Rasterize,
} from './fake-nodes'
import { assertFigmaCloneable } from './figma-clone'

export interface FakeImage {
  hash: string
  bytes: Uint8Array
  width: number
  height: number
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

/** clientStorage counts a key plus its value as JSON, Uint8Arrays by their length. */
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
 * What outlives one run of the plugin: the pages and their layers, the file's images, and the
 * plugin's clientStorage on this computer. A run of the plugin is a FakeFigma over it.
 */
export class FakeDocument {
  readonly images = new Map<string, FakeImage>()
  readonly storage = new Map<string, unknown>()
  /** Plugin data on the document node (figma.root): saved with the file. */
  readonly rootPluginData = new Map<string, string>()
  readonly pages: FakePage[] = []
  currentPage: FakePage
  /** Export delays by layer id (and for every layer), so slow exports can be played. */
  readonly exportDelays = new Map<string, number>()
  defaultExportDelayMs = 0
  readonly #nodes = new Map<string, FakeSceneNode>()
  readonly #selectionListeners = new Set<() => void>()
  /** The plugin's changes since its last commitUndo: what the designer's Cmd+Z takes back. */
  readonly #uncommitted = {
    created: [] as FakeSceneNode[],
    fills: new Map<FakeSceneNode, readonly Paint[]>(),
  }
  #idCounter = 1
  readonly env: FakeEnvironment & { selectionChanged(page: FakePage): void }

  constructor(options: { rasterize: Rasterize; onChange?: () => void }) {
    this.env = {
      rasterize: options.rasterize,
      nextId: () => `1:${++this.#idCounter}`,
      changed: () => options.onChange?.(),
      forget: (node) => {
        this.#nodes.delete(node.id)
        for (const page of this.pages) page.dropFromSelection(node)
      },
      exportDelayMs: (node) => this.exportDelays.get(node.id) ?? this.defaultExportDelayMs,
      create: (kind) => {
        const node = this.track(new kind(this.env))
        this.recordCreated(node)
        return node
      },
      fillsChanging: (node, before) => {
        if (!this.#uncommitted.fills.has(node)) this.#uncommitted.fills.set(node, before)
      },
      selectionChanged: (page) => {
        if (page === this.currentPage) for (const listener of this.#selectionListeners) listener()
        options.onChange?.()
      },
    }
    this.currentPage = this.addPage('Page 1')
  }

  addPage(name: string): FakePage {
    const page = new FakePage(`0:${this.pages.length + 1}`, name, this.env)
    this.pages.push(page)
    this.env.changed()
    return page
  }

  track<T extends FakeSceneNode>(node: T): T {
    this.#nodes.set(node.id, node)
    return node
  }

  node(id: string): FakeSceneNode | FakePage | null {
    return this.pages.find((page) => page.id === id) ?? this.#nodes.get(id) ?? null
  }

  recordCreated(node: FakeSceneNode) {
    this.#uncommitted.created.push(node)
  }

  /** Changes so far become an undo step of their own (figma.commitUndo, or a designer's action). */
  commitPending() {
    this.#uncommitted.created = []
    this.#uncommitted.fills.clear()
  }

  /** The designer presses Cmd+Z while the plugin runs: its uncommitted changes are taken back. */
  undoPending() {
    const { created, fills } = this.#uncommitted
    for (const [node, before] of fills)
      if (!node.removed) (node as unknown as { fills: readonly Paint[] }).fills = before
    for (const node of [...created].reverse()) if (!node.removed) node.remove()
    this.commitPending()
  }

  onSelectionChange(listener: () => void): () => void {
    this.#selectionListeners.add(listener)
    return () => this.#selectionListeners.delete(listener)
  }
}

export interface FakeFigmaOptions {
  /** The document this run works on; a new one when left out. */
  document?: FakeDocument
  rasterize?: Rasterize
  command?: string
  /** Where figma.ui.postMessage sends its messages (to the plugin UI). */
  toUi?: (message: unknown) => void
  onShowUI?: (html: string, options: ShowUIOptions | undefined) => void
  /** The plugin resized its window with figma.ui.resize. */
  onResizeUI?: (width: number, height: number) => void
  onChange?: () => void
  onNotify?: (notification: FakeNotification) => void
  /** The plugin closed (by itself, or because the harness closed it): its window goes. */
  onClose?: () => void
}

export interface FakeNotification {
  message: string
  error: boolean
  button?: NotificationOptions['button']
}

type EventName = 'selectionchange' | 'currentpagechange' | 'close'

/**
 * One run of the plugin against the fake Figma API. Members are typed by @figma/plugin-typings via
 * `Pick`, so the fake cannot drift from the real signatures. Once closed, every call throws, as
 * Figma's do after figma.closePlugin().
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
      | 'setCurrentPageAsync'
      | 'closePlugin'
    >
{
  readonly mixed: symbol = Symbol('figma.mixed')
  readonly editorType = 'figma' as const
  readonly command: string
  readonly document: FakeDocument
  readonly notifications: FakeNotification[] = []
  undoSteps = 0
  scrolledTo: string[][] = []
  uiHtml: string | null = null
  uiSize: { width: number; height: number } | null = null
  closed = false
  readonly #handlers: { [name in EventName]: (() => void)[] } = {
    selectionchange: [],
    currentpagechange: [],
    close: [],
  }
  readonly #stopListening: () => void

  constructor(private readonly options: FakeFigmaOptions) {
    this.command = options.command ?? ''
    if (!options.document && !options.rasterize)
      throw new Error('FakeFigma needs a document or a rasterizer')
    this.document =
      options.document ??
      new FakeDocument({ rasterize: options.rasterize!, onChange: options.onChange })
    this.#stopListening = this.document.onSelectionChange(() => this.#fire('selectionchange'))
  }

  #open(operation: string) {
    if (this.closed) throw new Error(`in ${operation}: The plugin has been closed`)
  }

  #fire(name: EventName) {
    if (this.closed) return
    for (const handler of [...this.#handlers[name]]) handler()
  }

  get images() {
    return this.document.images
  }
  get storage() {
    return this.document.storage
  }

  get currentPage(): FakePage {
    this.#open('currentPage')
    return this.document.currentPage
  }
  set currentPage(_page: FakePage) {
    throw new Error(
      'Setting figma.currentPage is not supported with documentAccess: dynamic-page. Use figma.setCurrentPageAsync instead.',
    )
  }

  async setCurrentPageAsync(page: PageNode) {
    this.#open('setCurrentPageAsync')
    const target = this.document.pages.find((candidate) => candidate.id === page.id)
    if (!target) throw new Error('in setCurrentPageAsync: that page does not exist')
    if (target === this.document.currentPage) return
    this.document.currentPage = target
    this.document.env.changed()
    this.#fire('currentpagechange')
    this.#fire('selectionchange')
  }

  get root() {
    this.#open('root')
    const data = this.document.rootPluginData
    return {
      type: 'DOCUMENT' as const,
      children: this.document.pages,
      getPluginData: (key: string) => {
        this.#open('getPluginData')
        return data.get(key) ?? ''
      },
      setPluginData: (key: string, value: string) => {
        this.#open('setPluginData')
        if (typeof key !== 'string' || typeof value !== 'string')
          throw new Error('in setPluginData: Expected a string key and value')
        data.set(key, value)
      },
    }
  }

  readonly viewport = {
    center: { x: 0, y: 0 },
    zoom: 1,
    scrollAndZoomIntoView: (nodes: readonly BaseNode[]) => {
      this.#open('scrollAndZoomIntoView')
      for (const node of nodes)
        if (node.removed)
          throw new Error(`in scrollAndZoomIntoView: The node with id "${node.id}" does not exist`)
      this.scrolledTo.push(nodes.map((node) => node.id))
    },
  }

  readonly clientStorage = {
    getAsync: async (key: string) => {
      this.#open('clientStorage.getAsync')
      return structuredClone(this.document.storage.get(key))
    },
    setAsync: async (key: string, value: unknown) => {
      this.#open('clientStorage.setAsync')
      assertFigmaCloneable(value, 'clientStorage.setAsync', { dates: false })
      const total = [...this.document.storage.entries()]
        .filter(([k]) => k !== key)
        .reduce((sum, [k, v]) => sum + k.length + storedSize(v), 0)
      if (total + key.length + storedSize(value) > CLIENT_STORAGE_QUOTA)
        throw new Error('clientStorage quota exceeded')
      this.document.storage.set(key, structuredClone(value))
    },
    deleteAsync: async (key: string) => {
      this.#open('clientStorage.deleteAsync')
      this.document.storage.delete(key)
    },
    keysAsync: async () => {
      this.#open('clientStorage.keysAsync')
      return [...this.document.storage.keys()]
    },
  }

  readonly ui = {
    onmessage: undefined as MessageEventHandler | undefined,
    postMessage: (message: unknown) => {
      this.#open('ui.postMessage')
      assertFigmaCloneable(message, 'ui.postMessage', { dates: true })
      this.options.toUi?.(structuredClone(message))
    },
    resize: (width: number, height: number) => {
      this.#open('ui.resize')
      if (!Number.isFinite(width) || !Number.isFinite(height) || width < 0 || height < 0)
        throw new Error('in resize: Expected width and height to be non-negative numbers')
      this.uiSize = { width, height }
      this.options.onResizeUI?.(width, height)
    },
  }

  /** Plays the UI's `parent.postMessage({ pluginMessage })` arriving in the main thread. */
  deliverFromUi(message: unknown) {
    if (this.closed) return
    assertFigmaCloneable(message, 'parent.postMessage', { dates: true })
    this.ui.onmessage?.(structuredClone(message), { origin: 'null' } as OnMessageProperties)
  }

  #create<T extends FakeSceneNode>(node: T, operation: string): T {
    this.#open(operation)
    this.document.track(node)
    this.document.recordCreated(node)
    this.document.currentPage.appendChild(node)
    return node
  }

  createFrame(): FakeFrame {
    return this.#create(new FakeFrame(this.document.env), 'createFrame')
  }
  createRectangle(): FakeRectangle {
    return this.#create(new FakeRectangle(this.document.env), 'createRectangle')
  }
  createEllipse(): FakeEllipse {
    return this.#create(new FakeEllipse(this.document.env), 'createEllipse')
  }
  createVector(): FakeVector {
    return this.#create(new FakeVector(this.document.env), 'createVector')
  }
  createLine(): FakeLine {
    return this.#create(new FakeLine(this.document.env), 'createLine')
  }
  createText(): FakeText {
    return this.#create(new FakeText(this.document.env), 'createText')
  }
  createSection(): FakeSection {
    return this.#create(new FakeSection(this.document.env), 'createSection')
  }
  createComponent(): FakeComponent {
    return this.#create(new FakeComponent(this.document.env), 'createComponent')
  }
  /** Figma makes instances from a component (component.createInstance()); the fake makes one plainly. */
  createInstance(): FakeInstance {
    return this.#create(new FakeInstance(this.document.env), 'createInstance')
  }
  createGroupOf(children: FakeSceneNode[]): FakeGroup {
    const group = this.#create(new FakeGroup(this.document.env), 'group')
    for (const child of children) group.appendChild(child)
    return group
  }

  createImage(data: Uint8Array): Image {
    this.#open('createImage')
    const info = imageInfo(data)
    const size = info && info.mimeType !== 'image/webp' ? info : gifSize(data)
    if (!size) throw new Error('Image type is unsupported')
    if (size.width > MAX_IMAGE_SIDE || size.height > MAX_IMAGE_SIDE)
      throw new Error('Image is too large')
    const hash = contentHash(data)
    this.document.images.set(hash, {
      hash,
      bytes: data.slice(),
      width: size.width,
      height: size.height,
    })
    return this.getImageByHash(hash)!
  }

  getImageByHash(hash: string): Image | null {
    this.#open('getImageByHash')
    const image = this.document.images.get(hash)
    if (!image) return null
    return {
      hash,
      getBytesAsync: async () => image.bytes.slice(),
      getSizeAsync: async () => ({ width: image.width, height: image.height }),
    }
  }

  async getNodeByIdAsync(id: string): Promise<BaseNode | null> {
    this.#open('getNodeByIdAsync')
    const node = this.document.node(id)
    return node && !node.removed ? (node as unknown as BaseNode) : null
  }

  getNodeById(): never {
    throw new Error(
      'Cannot call getNodeById with documentAccess: dynamic-page. Use figma.getNodeByIdAsync instead.',
    )
  }

  commitUndo() {
    this.#open('commitUndo')
    this.document.commitPending()
    this.undoSteps++
  }

  notify(message: string, options?: NotificationOptions): NotificationHandler {
    this.#open('notify')
    const notification: FakeNotification = {
      message,
      error: Boolean(options?.error),
      button: options?.button,
    }
    this.notifications.push(notification)
    this.options.onNotify?.(notification)
    return { cancel: () => {} }
  }

  on(type: EventName, handler: () => void) {
    this.#open('on')
    this.#handlers[type].push(handler)
  }

  once(type: EventName, handler: () => void) {
    const wrapped = () => {
      this.off(type, wrapped)
      handler()
    }
    this.on(type, wrapped)
  }

  off(type: EventName, handler: () => void) {
    this.#handlers[type] = this.#handlers[type].filter((candidate) => candidate !== handler)
  }

  showUI(html: string, options?: ShowUIOptions) {
    this.#open('showUI')
    this.uiHtml = html
    this.uiSize = { width: options?.width ?? 100, height: options?.height ?? 100 }
    this.options.onShowUI?.(html, options)
  }

  /**
   * Ends this run: `close` handlers run first, synchronously, then every API call throws and the
   * window goes. Figma does this when the plugin calls closePlugin(), when the designer closes its
   * window, and when a relaunch button restarts it.
   */
  closePlugin(_message?: string) {
    if (this.closed) return
    for (const handler of [...this.#handlers.close]) {
      try {
        handler()
      } catch (error) {
        console.error('close handler failed:', error)
      }
    }
    this.closed = true
    this.#stopListening()
    this.options.onClose?.()
  }

  /** The fake as the `figma` global the plugin code expects. */
  asPluginApi(): PluginAPI {
    return this as unknown as PluginAPI
  }
}
