/**
 * Scene nodes for the fake Figma API: exactly the members the plugin uses, each typed by
 * @figma/plugin-typings through `Pick`, so a change in Figma's types shows up here.
 */

export type Rasterize = (
  node: FakeSceneNode,
  width: number,
  height: number,
  format: 'PNG' | 'JPG',
) => Promise<Uint8Array>

export interface FakeEnvironment {
  rasterize: Rasterize
  nextId(): string
  changed(): void
  removeNode(node: FakeSceneNode): void
}

type UsedNodeMembers =
  | 'id'
  | 'name'
  | 'x'
  | 'y'
  | 'width'
  | 'height'
  | 'remove'
  | 'setPluginData'
  | 'getPluginData'
  | 'setRelaunchData'
  | 'absoluteBoundingBox'

export abstract class FakeSceneNode implements Pick<FrameNode, UsedNodeMembers> {
  abstract readonly type: 'FRAME' | 'RECTANGLE' | 'GROUP' | 'TEXT'
  readonly id: string
  parent: FakeContainer | null = null
  removed = false
  #name = ''
  #x = 0
  #y = 0
  #width = 100
  #height = 100
  readonly pluginData = new Map<string, string>()
  relaunchData: { [command: string]: string } = {}
  exports: ExportSettings[] = []

  constructor(protected readonly env: FakeEnvironment) {
    this.id = env.nextId()
  }

  get name() {
    return this.#name
  }
  set name(value: string) {
    this.#name = value
    this.env.changed()
  }
  get x() {
    return this.#x
  }
  set x(value: number) {
    this.#x = value
    this.env.changed()
  }
  get y() {
    return this.#y
  }
  set y(value: number) {
    this.#y = value
    this.env.changed()
  }
  get width() {
    return this.#width
  }
  get height() {
    return this.#height
  }

  get absoluteBoundingBox(): Rect {
    const parent = this.parent as unknown as Partial<FakeSceneNode> | null
    const offset = parent?.absoluteBoundingBox ?? { x: 0, y: 0 }
    return {
      x: offset.x + this.#x,
      y: offset.y + this.#y,
      width: this.#width,
      height: this.#height,
    }
  }

  resize(width: number, height: number) {
    if (!(width >= 0.01 && height >= 0.01))
      throw new Error('in resize: Expected width and height to be >= 0.01')
    this.#width = width
    this.#height = height
    this.env.changed()
  }

  remove() {
    this.parent?.removeChild(this)
    this.removed = true
    this.env.removeNode(this)
    this.env.changed()
  }

  /** Figma's overloads also cover SVG and video; the plugin only exports PNG and JPG. */
  async exportAsync(settings?: ExportSettings): Promise<Uint8Array> {
    const chosen = settings ?? { format: 'PNG' }
    this.exports.push(chosen)
    if (chosen.format !== 'PNG' && chosen.format !== 'JPG')
      throw new Error(`fake exportAsync does not do ${chosen.format}`)
    const constraint = 'constraint' in chosen ? chosen.constraint : undefined
    let scale = 1
    if (constraint?.type === 'SCALE') scale = constraint.value
    if (constraint?.type === 'WIDTH') scale = constraint.value / this.width
    if (constraint?.type === 'HEIGHT') scale = constraint.value / this.height
    const width = Math.max(1, Math.round(this.width * scale))
    const height = Math.max(1, Math.round(this.height * scale))
    return this.env.rasterize(this, width, height, chosen.format)
  }

  setPluginData(key: string, value: string) {
    this.pluginData.set(key, value)
  }
  getPluginData(key: string) {
    return this.pluginData.get(key) ?? ''
  }
  setRelaunchData(data: { [command: string]: string }) {
    this.relaunchData = data
  }
}

export interface FakeContainer {
  readonly children: FakeSceneNode[]
  appendChild(child: FakeSceneNode): void
  removeChild(child: FakeSceneNode): void
}

function appendTo(container: FakeContainer, child: FakeSceneNode) {
  child.parent?.removeChild(child)
  container.children.push(child)
  child.parent = container
}

export class FakeFillsNode extends FakeSceneNode implements Pick<RectangleNode, 'fills'> {
  readonly type: 'RECTANGLE' | 'FRAME' = 'RECTANGLE'
  #fills: readonly Paint[] = [{ type: 'SOLID', color: { r: 0.85, g: 0.85, b: 0.85 } }]
  get fills(): readonly Paint[] {
    return this.#fills
  }
  set fills(value: readonly Paint[]) {
    this.#fills = value.map((paint) => Object.freeze({ ...paint }))
    this.env.changed()
  }
}

export class FakeRectangle extends FakeFillsNode {}

/** Children handling shared by frames and groups. */
function containerOf(owner: FakeSceneNode & FakeContainer, env: FakeEnvironment) {
  return {
    appendChild(child: FakeSceneNode) {
      appendTo(owner, child)
      env.changed()
    },
    removeChild(child: FakeSceneNode) {
      const index = owner.children.indexOf(child)
      if (index !== -1) owner.children.splice(index, 1)
    },
  }
}

export class FakeFrame extends FakeFillsNode implements FakeContainer {
  readonly type = 'FRAME' as const
  readonly children: FakeSceneNode[] = []
  readonly #container = containerOf(this, this.env)
  constructor(env: FakeEnvironment) {
    super(env)
    this.fills = [{ type: 'SOLID', color: { r: 1, g: 1, b: 1 } }]
  }
  appendChild(child: FakeSceneNode) {
    this.#container.appendChild(child)
  }
  removeChild(child: FakeSceneNode) {
    this.#container.removeChild(child)
  }
}

export class FakeGroup extends FakeSceneNode implements FakeContainer {
  readonly type = 'GROUP' as const
  readonly children: FakeSceneNode[] = []
  readonly #container = containerOf(this, this.env)
  appendChild(child: FakeSceneNode) {
    this.#container.appendChild(child)
  }
  removeChild(child: FakeSceneNode) {
    this.#container.removeChild(child)
  }
}

export class FakePage implements FakeContainer, Pick<PageNode, 'name'> {
  readonly type = 'PAGE' as const
  readonly id = '0:1'
  name = 'Page 1'
  readonly children: FakeSceneNode[] = []
  #selection: FakeSceneNode[] = []
  constructor(private readonly env: FakeEnvironment & { selectionChanged(): void }) {}
  get selection(): FakeSceneNode[] {
    return this.#selection
  }
  set selection(nodes: readonly FakeSceneNode[]) {
    this.#selection = [...nodes]
    this.env.selectionChanged()
  }
  appendChild(child: FakeSceneNode) {
    appendTo(this, child)
    this.env.changed()
  }
  removeChild(child: FakeSceneNode) {
    const index = this.children.indexOf(child)
    if (index !== -1) this.children.splice(index, 1)
    if (this.#selection.includes(child))
      this.selection = this.#selection.filter((node) => node !== child)
  }
}
