/**
 * Scene nodes for the fake Figma API: the members the plugin uses, typed by @figma/plugin-typings
 * through `Pick`, and as strict as Figma where it matters: a removed layer throws on every read and
 * write but `id`, `type` and `removed`, and removing it twice throws.
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
  forget(node: FakeSceneNode): void
  /** How long an export of this layer takes, so ordering bugs show. */
  exportDelayMs(node: FakeSceneNode): number
  /** Makes and tracks a new layer of this class (for clone). */
  create<T extends FakeSceneNode>(kind: new (env: FakeEnvironment) => T): T
  /** Fills are about to change: what undo would bring back. */
  fillsChanging(node: FakeSceneNode, before: readonly Paint[]): void
}

export type FakeNodeType =
  | 'FRAME'
  | 'RECTANGLE'
  | 'GROUP'
  | 'TEXT'
  | 'LINE'
  | 'SECTION'
  | 'INSTANCE'
  | 'COMPONENT'
  | 'ELLIPSE'
  | 'VECTOR'

type UsedNodeMembers =
  | 'id'
  | 'name'
  | 'x'
  | 'y'
  | 'width'
  | 'height'
  | 'rotation'
  | 'opacity'
  | 'visible'
  | 'removed'
  | 'remove'
  | 'setPluginData'
  | 'getPluginData'
  | 'setSharedPluginData'
  | 'getSharedPluginData'
  | 'setRelaunchData'
  | 'absoluteBoundingBox'
  | 'absoluteRenderBounds'
  | 'absoluteTransform'

export interface FakeContainer {
  readonly children: FakeSceneNode[]
  appendChild(child: FakeSceneNode): void
  insertChild(index: number, child: FakeSceneNode): void
  removeChild(child: FakeSceneNode): void
}

/** A box turned by `rotation` degrees (counter-clockwise, as in Figma) about its top-left corner. */
export function rotatedBounds(
  origin: { x: number; y: number },
  width: number,
  height: number,
  rotation: number,
): Rect {
  const angle = (rotation * Math.PI) / 180
  const cos = Math.cos(angle)
  const sin = Math.sin(angle)
  const corners = [
    [0, 0],
    [width, 0],
    [0, height],
    [width, height],
  ].map(([u, v]) => ({ x: origin.x + u * cos + v * sin, y: origin.y - u * sin + v * cos }))
  const xs = corners.map((corner) => corner.x)
  const ys = corners.map((corner) => corner.y)
  const x = Math.min(...xs)
  const y = Math.min(...ys)
  return { x, y, width: Math.max(...xs) - x, height: Math.max(...ys) - y }
}

export abstract class FakeSceneNode implements Pick<FrameNode, UsedNodeMembers> {
  abstract readonly type: FakeNodeType
  readonly id: string
  #removed = false
  #parent: FakeContainer | null = null
  #name = ''
  #x = 0
  #y = 0
  #width = 100
  #height = 100
  #rotation = 0
  #opacity = 1
  #visible = true
  readonly #pluginData = new Map<string, string>()
  readonly #sharedPluginData = new Map<string, string>()
  #relaunchData: { [command: string]: string } = {}
  /** Every export asked of this layer, for tests to inspect. */
  readonly exports: ExportSettings[] = []

  constructor(protected readonly env: FakeEnvironment) {
    this.id = env.nextId()
  }

  /** Figma's error for any use of a layer that is gone. */
  protected live(operation: string) {
    if (this.#removed)
      throw new Error(`in ${operation}: The node with id "${this.id}" does not exist`)
  }

  get removed() {
    return this.#removed
  }
  get parent() {
    this.live('get_parent')
    return this.#parent
  }
  /** The fake's own wiring; Figma sets a parent through appendChild. */
  attachTo(parent: FakeContainer | null) {
    this.#parent = parent
  }

  get name() {
    this.live('get_name')
    return this.#name
  }
  set name(value: string) {
    this.live('set_name')
    this.#name = value
    this.env.changed()
  }
  get x() {
    this.live('get_x')
    return this.#x
  }
  set x(value: number) {
    this.live('set_x')
    this.#x = value
    this.env.changed()
  }
  get y() {
    this.live('get_y')
    return this.#y
  }
  set y(value: number) {
    this.live('set_y')
    this.#y = value
    this.env.changed()
  }
  get width() {
    this.live('get_width')
    return this.#width
  }
  get height() {
    this.live('get_height')
    return this.#height
  }
  get rotation() {
    this.live('get_rotation')
    return this.#rotation
  }
  set rotation(value: number) {
    this.live('set_rotation')
    this.#rotation = value
    this.env.changed()
  }
  get visible() {
    this.live('get_visible')
    return this.#visible
  }
  set visible(value: boolean) {
    this.live('set_visible')
    this.#visible = value
    this.env.changed()
  }
  get opacity() {
    this.live('get_opacity')
    return this.#opacity
  }
  set opacity(value: number) {
    this.live('set_opacity')
    if (!(value >= 0 && value <= 1))
      throw new Error('in set_opacity: Expected "opacity" to have value between 0 and 1')
    this.#opacity = value
    this.env.changed()
  }

  /** The point the layer's own x and y are measured from: its parent's top-left on the page. */
  get #parentOrigin(): { x: number; y: number } {
    const parent = this.#parent as unknown as Partial<FakeSceneNode> | null
    return parent?.absoluteTransformOrigin ?? { x: 0, y: 0 }
  }

  /** Where the layer's own top-left corner is on the page (parents' rotation is not modelled). */
  get absoluteTransformOrigin(): { x: number; y: number } {
    this.live('get_absoluteTransform')
    const origin = this.#parentOrigin
    return { x: origin.x + this.#x, y: origin.y + this.#y }
  }

  /** Figma's 2×3 matrix from the layer's own space to the page. */
  get absoluteTransform(): Transform {
    this.live('get_absoluteTransform')
    const { x, y } = this.absoluteTransformOrigin
    const angle = (this.#rotation * Math.PI) / 180
    return [
      [Math.cos(angle), Math.sin(angle), x],
      [-Math.sin(angle), Math.cos(angle), y],
    ]
  }

  get absoluteBoundingBox(): Rect {
    this.live('get_absoluteBoundingBox')
    return rotatedBounds(this.absoluteTransformOrigin, this.#width, this.#height, this.#rotation)
  }

  /** The fake draws no shadows or strokes outside a layer, so it renders within its bounding box. */
  get absoluteRenderBounds(): Rect {
    this.live('get_absoluteRenderBounds')
    return this.absoluteBoundingBox
  }

  resize(width: number, height: number) {
    this.live('resize')
    if (!(width >= 0.01 && height >= 0.01))
      throw new Error('in resize: Expected width and height to be >= 0.01')
    this.#width = width
    this.#height = height
    this.env.changed()
  }

  /** Sets a size Figma allows only for lines (height 0). */
  protected forceSize(width: number, height: number) {
    this.#width = width
    this.#height = height
  }

  remove() {
    this.live('remove')
    this.#parent?.removeChild(this)
    this.#parent = null
    this.markRemoved()
    this.env.changed()
  }

  /** Removing a layer removes everything inside it. */
  markRemoved() {
    const inside = [...((this as unknown as Partial<FakeContainer>).children ?? [])]
    this.#removed = true
    this.env.forget(this)
    for (const child of inside) child.markRemoved()
  }

  /** A copy in the same parent, just above the original (its children copied too). */
  clone(): this {
    this.live('clone')
    const copy = this.env.create(this.constructor as new (env: FakeEnvironment) => this)
    this.copyInto(copy)
    const parent = this.#parent
    if (parent) parent.insertChild(parent.children.indexOf(this) + 1, copy)
    return copy
  }

  /** Copies what a clone keeps; subclasses add their own. */
  protected copyInto(copy: FakeSceneNode) {
    copy.#name = this.#name
    copy.#x = this.#x
    copy.#y = this.#y
    copy.#width = this.#width
    copy.#height = this.#height
    copy.#rotation = this.#rotation
    copy.#opacity = this.#opacity
    copy.#visible = this.#visible
    for (const [key, value] of this.#pluginData) copy.#pluginData.set(key, value)
  }

  /** Figma's overloads also cover SVG and video; the plugin only exports PNG and JPG. */
  async exportAsync(settings?: ExportSettings): Promise<Uint8Array> {
    this.live('exportAsync')
    const chosen = settings ?? { format: 'PNG' }
    this.exports.push(chosen)
    if (chosen.format !== 'PNG' && chosen.format !== 'JPG')
      throw new Error(`fake exportAsync does not do ${chosen.format}`)
    const bounds = this.absoluteRenderBounds
    const constraint = 'constraint' in chosen ? chosen.constraint : undefined
    let scale = 1
    if (constraint?.type === 'SCALE') scale = constraint.value
    if (constraint?.type === 'WIDTH') scale = constraint.value / bounds.width
    if (constraint?.type === 'HEIGHT') scale = constraint.value / bounds.height
    const width = Math.max(1, Math.round(bounds.width * scale))
    const height = Math.max(1, Math.round(bounds.height * scale))
    const delay = this.env.exportDelayMs(this)
    if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay))
    this.live('exportAsync')
    return this.env.rasterize(this, width, height, chosen.format)
  }

  setPluginData(key: string, value: string) {
    this.live('setPluginData')
    this.#pluginData.set(key, value)
  }
  getPluginData(key: string) {
    this.live('getPluginData')
    return this.#pluginData.get(key) ?? ''
  }
  setSharedPluginData(namespace: string, key: string, value: string) {
    this.live('setSharedPluginData')
    if (!/^[A-Za-z0-9_.]{3,}$/.test(namespace))
      throw new Error(
        'in setSharedPluginData: namespace must be at least 3 alphanumeric characters, _ or .',
      )
    this.#sharedPluginData.set(`${namespace}\u0000${key}`, value)
    this.env.changed()
  }
  getSharedPluginData(namespace: string, key: string) {
    this.live('getSharedPluginData')
    return this.#sharedPluginData.get(`${namespace}\u0000${key}`) ?? ''
  }
  setRelaunchData(data: { [command: string]: string }) {
    this.live('setRelaunchData')
    this.#relaunchData = data
  }
  get relaunchData() {
    this.live('get_relaunchData')
    return this.#relaunchData
  }
}

/** A layer with fills, strokes and effects (rectangles, frames, ellipses, vectors, lines…). */
export abstract class FakeFillsNode
  extends FakeSceneNode
  implements Pick<RectangleNode, 'fills' | 'strokes' | 'strokeWeight' | 'effects'>
{
  #fills: readonly Paint[] = [{ type: 'SOLID', color: { r: 0.85, g: 0.85, b: 0.85 } }]
  #strokes: readonly Paint[] = []
  #effects: readonly Effect[] = []
  #strokeWeight = 1

  get fills(): readonly Paint[] {
    this.live('get_fills')
    return this.#fills
  }
  set fills(value: readonly Paint[]) {
    this.live('set_fills')
    this.env.fillsChanging(this, this.#fills)
    this.#fills = value.map((paint) => Object.freeze({ ...paint }))
    this.env.changed()
  }
  get strokes(): readonly Paint[] {
    this.live('get_strokes')
    return this.#strokes
  }
  set strokes(value: readonly Paint[]) {
    this.live('set_strokes')
    this.#strokes = value.map((paint) => Object.freeze({ ...paint }))
    this.env.changed()
  }
  get strokeWeight() {
    this.live('get_strokeWeight')
    return this.#strokeWeight
  }
  set strokeWeight(value: number) {
    this.live('set_strokeWeight')
    this.#strokeWeight = value
  }
  protected override copyInto(copy: FakeSceneNode) {
    super.copyInto(copy)
    const target = copy as FakeFillsNode
    target.#fills = this.#fills
    target.#strokes = this.#strokes
    target.#effects = this.#effects
    target.#strokeWeight = this.#strokeWeight
  }
  get effects(): readonly Effect[] {
    this.live('get_effects')
    return this.#effects
  }
  set effects(value: readonly Effect[]) {
    this.live('set_effects')
    this.#effects = value
    this.env.changed()
  }
}

export class FakeRectangle extends FakeFillsNode {
  readonly type = 'RECTANGLE' as const
}
export class FakeEllipse extends FakeFillsNode {
  readonly type = 'ELLIPSE' as const
}
/** A vector or pencil stroke: its geometry is SVG path data, as in Figma's vectorPaths. */
export class FakeVector extends FakeFillsNode {
  readonly type = 'VECTOR' as const
  #paths: VectorPaths = []
  get vectorPaths(): VectorPaths {
    this.live('get_vectorPaths')
    return this.#paths
  }
  set vectorPaths(value: VectorPaths) {
    this.live('set_vectorPaths')
    this.#paths = value
    this.env.changed()
  }
  protected override copyInto(copy: FakeSceneNode) {
    super.copyInto(copy)
    ;(copy as FakeVector).#paths = this.#paths
  }
}
export class FakeText extends FakeFillsNode {
  readonly type = 'TEXT' as const
}

/** A line is 0 px high: Figma refuses to resize anything else to 0. */
export class FakeLine extends FakeFillsNode {
  readonly type = 'LINE' as const
  constructor(env: FakeEnvironment) {
    super(env)
    this.forceSize(100, 0)
    this.fills = []
    this.strokes = [{ type: 'SOLID', color: { r: 0, g: 0, b: 0 } }]
  }
  override resize(width: number, height: number) {
    if (height !== 0) throw new Error('in resize: Cannot set the height of a line')
    this.live('resize')
    this.forceSize(width, 0)
    this.env.changed()
  }
}

/** Figma gives an instance its layers from its main component: none can be added or moved in. */
function insideInstance(container: FakeContainer): boolean {
  for (
    let node = container as unknown as { type?: string; parent?: unknown } | null;
    node;
    node = node.parent as typeof node
  )
    if (node.type === 'INSTANCE') return true
  return false
}

function appendTo(container: FakeContainer, child: FakeSceneNode, env: FakeEnvironment) {
  if (child.removed)
    throw new Error(`in appendChild: The node with id "${child.id}" does not exist`)
  if (insideInstance(container))
    throw new Error(
      'in appendChild: Cannot move node. New parent is an instance or is inside of an instance',
    )
  ;(child.parent as FakeContainer | null)?.removeChild(child)
  container.children.push(child)
  child.attachTo(container)
  env.changed()
}

function insertInto(
  container: FakeContainer,
  index: number,
  child: FakeSceneNode,
  env: FakeEnvironment,
) {
  appendTo(container, child, env)
  container.children.splice(container.children.indexOf(child), 1)
  container.children.splice(Math.min(index, container.children.length), 0, child)
}

function detach(container: FakeContainer, child: FakeSceneNode) {
  const index = container.children.indexOf(child)
  if (index !== -1) container.children.splice(index, 1)
}

/** Frames, components, instances and sections: fills and children. */
export abstract class FakeFrameLike extends FakeFillsNode implements FakeContainer {
  readonly #children: FakeSceneNode[] = []
  #clipsContent = true
  get clipsContent() {
    this.live('get_clipsContent')
    return this.#clipsContent
  }
  set clipsContent(value: boolean) {
    this.live('set_clipsContent')
    this.#clipsContent = value
  }
  insertChild(index: number, child: FakeSceneNode) {
    this.live('insertChild')
    insertInto(this, index, child, this.env)
  }
  constructor(env: FakeEnvironment) {
    super(env)
    this.fills = [{ type: 'SOLID', color: { r: 1, g: 1, b: 1 } }]
  }
  get children(): FakeSceneNode[] {
    this.live('get_children')
    return this.#children
  }
  appendChild(child: FakeSceneNode) {
    this.live('appendChild')
    appendTo(this, child, this.env)
  }
  removeChild(child: FakeSceneNode) {
    detach(this, child)
  }
}

export class FakeFrame extends FakeFrameLike {
  readonly type = 'FRAME' as const
}
export class FakeComponent extends FakeFrameLike {
  readonly type = 'COMPONENT' as const
}
export class FakeInstance extends FakeFrameLike {
  readonly type = 'INSTANCE' as const
  /** The fake's stand-in for a main component's layers: Figma itself refuses appendChild here. */
  adopt(child: FakeSceneNode) {
    ;(child.parent as FakeContainer | null)?.removeChild(child)
    this.children.push(child)
    child.attachTo(this)
  }
}
export class FakeSection extends FakeFrameLike {
  readonly type = 'SECTION' as const
}

/** Groups have children but no fills of their own. */
export class FakeGroup extends FakeSceneNode implements FakeContainer {
  readonly type = 'GROUP' as const
  readonly #children: FakeSceneNode[] = []
  insertChild(index: number, child: FakeSceneNode) {
    this.live('insertChild')
    insertInto(this, index, child, this.env)
  }
  get children(): FakeSceneNode[] {
    this.live('get_children')
    return this.#children
  }
  appendChild(child: FakeSceneNode) {
    this.live('appendChild')
    appendTo(this, child, this.env)
  }
  removeChild(child: FakeSceneNode) {
    detach(this, child)
  }
}

export class FakePage implements FakeContainer, Pick<PageNode, 'name' | 'removed'> {
  readonly type = 'PAGE' as const
  readonly removed = false
  readonly children: FakeSceneNode[] = []
  #selection: FakeSceneNode[] = []
  constructor(
    readonly id: string,
    public name: string,
    private readonly env: FakeEnvironment & { selectionChanged(page: FakePage): void },
  ) {}
  /** Removed layers leave the selection, as in Figma. */
  get selection(): FakeSceneNode[] {
    return this.#selection.filter((node) => !node.removed)
  }
  set selection(nodes: readonly FakeSceneNode[]) {
    if (nodes.some((node) => node.removed))
      throw new Error('in set_selection: Cannot select a node that does not exist')
    this.#selection = [...nodes]
    this.env.selectionChanged(this)
  }
  appendChild(child: FakeSceneNode) {
    appendTo(this, child, this.env)
  }
  insertChild(index: number, child: FakeSceneNode) {
    insertInto(this, index, child, this.env)
  }
  removeChild(child: FakeSceneNode) {
    detach(this, child)
    this.dropFromSelection(child)
  }
  /** A layer that is gone leaves the selection, and Figma reports the change. */
  dropFromSelection(node: FakeSceneNode) {
    if (!this.#selection.includes(node)) return
    this.#selection = this.#selection.filter((selected) => selected !== node)
    this.env.selectionChanged(this)
  }
}
