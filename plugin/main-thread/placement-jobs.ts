import type { HistoryEntry, PlacementPlan, PlacementSlot, Provenance } from '../types'
import { besideRects } from '../utilities/beside-layout'
import type { Rect } from '../utilities/layout-variations'
import { boundsOf, layoutAnchor, layoutVariations } from '../utilities/layout-variations'
import { pageObstacles, rectOf, selectionBounds } from './canvas-bounds'
import { addToHistory } from './history-store'
import { isAlive } from './is-alive'
import { markGenerated } from './provenance'
import { isFillable } from './read-selection'
import { showResults } from './show-results'

type FillTarget = SceneNode & MinimalFillsMixin

/** One place a result goes. Its layer can be deleted or undone at any time while the job runs. */
interface Slot {
  spec: PlacementSlot
  node: FillTarget
  /** Where the layer was, so a paid image whose layer is gone can still be placed there. */
  rect: Rect
  /** A filled layer's own fills, brought back if no result arrives. */
  originalFills: readonly Paint[] | null
  placed: Provenance | null
  /** Figma could not read the image that came for it. */
  unreadable?: boolean
}

interface Job {
  page: PageNode
  /** The selection when the job started: results are selected only if it has not changed. */
  selectionAtStart: string[]
  slots: Slot[]
}

const jobs = new Map<string, Job>()

const PLACEHOLDER_FILL: SolidPaint = { type: 'SOLID', color: { r: 0.9, g: 0.9, b: 0.92 } }
const THUMBNAIL_WIDTH = 96
const generatingName = (name: string) => `${name} (generating…)`

function imageFill(bytes: Uint8Array): ImagePaint {
  const image = figma.createImage(bytes)
  return { type: 'IMAGE', scaleMode: 'FILL', imageHash: image.hash }
}

function createFrameAt(page: PageNode, rect: Rect, name: string, fills: Paint[]): FrameNode {
  const frame = figma.createFrame()
  frame.resize(rect.width, rect.height)
  frame.x = rect.x
  frame.y = rect.y
  frame.name = name
  frame.fills = fills
  page.appendChild(frame)
  return frame
}

const placeholderAt = (page: PageNode, spec: PlacementSlot, rect: Rect): Slot => ({
  spec,
  node: createFrameAt(page, rect, generatingName(spec.name), [PLACEHOLDER_FILL]),
  rect,
  originalFills: null,
  placed: null,
})

async function sceneNode(id: string, name: string): Promise<SceneNode> {
  const node = await figma.getNodeByIdAsync(id)
  if (!isAlive(node) || node.type === 'PAGE' || node.type === 'DOCUMENT')
    throw new Error(`"${name}" was deleted. Select the layers again.`)
  return node
}

/** New frames in a block beside the selection (or in view), covering nothing. */
function blockSlots(specs: PlacementSlot[], page: PageNode): Slot[] {
  const sizes = specs.map((spec) => spec as { width: number; height: number })
  const block = boundsOf(layoutVariations(sizes, { x: 0, y: 0 }, []))
  const anchor = layoutAnchor(selectionBounds(page.selection), figma.viewport.center, block)
  return layoutVariations(sizes, anchor, pageObstacles(page)).map((rect, index) =>
    placeholderAt(page, specs[index], rect),
  )
}

/** New frames of exact sizes in a row to the right of each one's source, covering nothing. */
async function besideSlots(
  specs: Extract<PlacementSlot, { kind: 'beside' }>[],
  page: PageNode,
): Promise<Slot[]> {
  const order = [...new Set(specs.map((spec) => spec.sourceNodeId))]
  const sources = await Promise.all(
    order.map((id) => sceneNode(id, specs.find((spec) => spec.sourceNodeId === id)!.name)),
  )
  const groups = order.map((id, index) => ({
    source: rectOf(sources[index]),
    specs: specs.filter((spec) => spec.sourceNodeId === id),
  }))
  const rects = besideRects(
    groups.map((group) => ({ source: group.source, sizes: group.specs })),
    pageObstacles(page),
  )
  const placed = new Map<PlacementSlot, Slot>()
  for (const [g, group] of groups.entries())
    for (const [i, spec] of group.specs.entries())
      placed.set(spec, placeholderAt(page, spec, rects[g][i]))
  return specs.map((spec) => placed.get(spec)!)
}

/** The selected layers themselves: results go into their fills. */
async function fillSlot(spec: Extract<PlacementSlot, { kind: 'fill' }>): Promise<Slot> {
  const node = await sceneNode(spec.targetNodeId, spec.name)
  if (!isFillable(node))
    throw new Error(`"${spec.name}" can no longer take an image. Select the layers again.`)
  return {
    spec,
    node,
    rect: rectOf(node),
    originalFills: node.fills as readonly Paint[],
    placed: null,
  }
}

/** The outermost instance a layer is in, or null: Figma lets nothing be added inside one. */
function outermostInstance(node: SceneNode): InstanceNode | null {
  let outermost: InstanceNode | null = null
  for (let at: BaseNode | null = node.parent; at && at.type !== 'PAGE'; at = at.parent)
    if (at.type === 'INSTANCE') outermost = at
  return outermost
}

/**
 * A new layer exactly over its source, just above it: in the same parent, or, for a layer inside
 * a component instance, just above the instance, where Figma lets a layer go.
 */
async function overSlot(spec: Extract<PlacementSlot, { kind: 'over' }>): Promise<Slot> {
  const source = await sceneNode(spec.sourceNodeId, spec.name)
  const above = outermostInstance(source) ?? source
  const parent = above.parent ?? figma.currentPage
  const layer = figma.createRectangle()
  parent.insertChild(parent.children.indexOf(above) + 1, layer)
  layer.resize(Math.max(source.width, 0.01), Math.max(source.height, 0.01))
  // In the instance's own coordinates (a group's children share their frame's): the instance's
  // place, plus how far into it the source is on the page (rotations inside it aside).
  layer.x = above.x + source.absoluteTransform[0][2] - above.absoluteTransform[0][2]
  layer.y = above.y + source.absoluteTransform[1][2] - above.absoluteTransform[1][2]
  if ('rotation' in source) layer.rotation = source.rotation
  layer.name = generatingName(spec.name)
  layer.fills = []
  return { spec, node: layer, rect: rectOf(source), originalFills: null, placed: null }
}

async function slotsFor(plan: PlacementPlan, page: PageNode): Promise<Slot[]> {
  const kind = plan.slots[0]?.kind
  if (kind === 'block') return blockSlots(plan.slots, page)
  if (kind === 'beside')
    return besideSlots(plan.slots as Extract<PlacementSlot, { kind: 'beside' }>[], page)
  const slots: Slot[] = []
  try {
    for (const spec of plan.slots) {
      if (spec.kind === 'fill') slots.push(await fillSlot(spec))
      else if (spec.kind === 'over') slots.push(await overSlot(spec))
    }
  } catch (error) {
    // A layer that cannot take part leaves none of the others' behind.
    clearUnplaced(slots)
    throw error
  }
  return slots
}

/** Takes back what did not get a result: new layers go, original fills come back. */
function clearUnplaced(slots: Slot[]) {
  for (const slot of slots) {
    if (slot.placed || !isAlive(slot.node)) continue
    try {
      if (slot.originalFills) slot.node.fills = slot.originalFills
      else slot.node.remove()
    } catch {
      // One layer that cannot be cleaned up must not leave the others behind.
    }
  }
}

/**
 * Makes room for a generation: placeholders beside the selection or beside each source, new layers
 * over their sources, or the selected layers themselves. Nothing is committed to undo here, so
 * the placeholders and the final images become one undo step when the job ends.
 */
export async function startPlacement(plan: PlacementPlan) {
  const page = figma.currentPage
  const selectionAtStart = page.selection.map((node) => node.id)
  const slots = await slotsFor(plan, page)
  jobs.set(plan.jobId, { page, selectionAtStart, slots })
  figma.viewport.scrollAndZoomIntoView(slots.map((slot) => slot.node))
}

export function showPartial(jobId: string, index: number, bytes: Uint8Array) {
  const slot = jobs.get(jobId)?.slots[index]
  if (!slot || slot.placed || !isAlive(slot.node)) return
  try {
    slot.node.fills = [imageFill(bytes)]
  } catch {
    // A preview Figma cannot read is only a preview: the placeholder waits for the final image.
  }
}

/** A paid image is never lost: when its layer is gone, it goes in a new frame where the layer was. */
function layerFor(job: Job, slot: Slot): FillTarget {
  if (isAlive(slot.node)) return slot.node
  const page = isAlive(job.page) ? job.page : figma.currentPage
  slot.node = createFrameAt(page, slot.rect, slot.spec.name, [])
  return slot.node
}

export async function placeImage(
  jobId: string,
  index: number,
  bytes: Uint8Array,
  provenance: Provenance,
) {
  const job = jobs.get(jobId)
  const slot = job?.slots[index]
  if (!job || !slot) return
  let fill: ImagePaint
  try {
    fill = imageFill(bytes)
  } catch {
    // Figma could not read the image: its placeholder goes when the generation ends.
    slot.unreadable = true
    figma.notify(
      'Figma could not read one of the images, so it was not placed. Generate it again.',
      {
        error: true,
      },
    )
    return
  }
  const node = layerFor(job, slot)
  node.fills = [fill]
  if (slot.spec.kind !== 'fill' || node !== slot.node) node.name = slot.spec.name
  markGenerated(node, provenance)
  slot.placed = provenance
  if (slot.spec.kind === 'over') {
    // The original stays, hidden, so the two can be compared and nothing is lost.
    for (const id of slot.spec.hideNodeIds) {
      const hidden = await figma.getNodeByIdAsync(id)
      if (isAlive(hidden) && 'visible' in hidden) hidden.visible = false
    }
  }
}

function placedNodes(job: Job): FillTarget[] {
  return job.slots.filter((slot) => slot.placed && isAlive(slot.node)).map((slot) => slot.node)
}

async function historyEntries(job: Job): Promise<HistoryEntry[]> {
  const entries: HistoryEntry[] = []
  for (const [index, slot] of job.slots.entries()) {
    const { node, placed } = slot
    if (!placed || !isAlive(node)) continue
    const paint = (node.fills as readonly Paint[])[0]
    if (paint?.type !== 'IMAGE' || !paint.imageHash) continue
    const thumbnail = await node
      .exportAsync({ format: 'JPG', constraint: { type: 'WIDTH', value: THUMBNAIL_WIDTH } })
      .catch(() => null)
    entries.push({
      id: `${placed.requestId}:${index}`,
      createdAt: new Date().toISOString(),
      provenance: placed,
      imageHash: paint.imageHash,
      width: node.width,
      height: node.height,
      thumbnail,
    })
  }
  return entries
}

export interface FinishedPlacement {
  placedIds: string[]
  /** Whether the results were selected (the designer had not moved on meanwhile). */
  selected: boolean
  /** Images that arrived but that Figma could not read, so are not on the canvas. */
  unreadable: number
  history: HistoryEntry[] | null
}

/** Ends a generation as one undo step, shows the results politely and records history. */
export async function finishPlacement(jobId: string): Promise<FinishedPlacement> {
  const job = jobs.get(jobId)
  if (!job) return { placedIds: [], selected: false, unreadable: 0, history: null }
  jobs.delete(jobId)
  clearUnplaced(job.slots)
  figma.commitUndo()
  const nodes = placedNodes(job)
  const selected = showResults(job.page, nodes, job.selectionAtStart)
  const entries = await historyEntries(job)
  return {
    placedIds: nodes.map((node) => node.id),
    selected,
    unreadable: job.slots.filter((slot) => slot.unreadable && !slot.placed).length,
    history: entries.length > 0 ? await addToHistory(entries) : null,
  }
}

/**
 * Ends a cancelled generation: placeholders with no image go, one undo step, and the images
 * already placed are kept in History as a finished generation's are.
 */
export async function cancelPlacement(jobId: string): Promise<HistoryEntry[] | null> {
  const job = jobs.get(jobId)
  if (!job) return null
  jobs.delete(jobId)
  clearUnplaced(job.slots)
  figma.commitUndo()
  const entries = await historyEntries(job)
  return entries.length > 0 ? addToHistory(entries) : null
}

/**
 * The plugin is closing (its window closed, or a relaunch button restarted it): placeholders with
 * no image go and fills come back, synchronously, as Figma runs nothing after this.
 */
export function cancelAllPlacements() {
  for (const job of jobs.values()) clearUnplaced(job.slots)
  jobs.clear()
}
