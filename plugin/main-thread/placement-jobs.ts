import type { HistoryEntry, PlacementPlan, Provenance } from '../types'
import type { Rect } from '../utilities/layout-variations'
import { boundsOf, layoutAnchor, layoutVariations } from '../utilities/layout-variations'
import { pageObstacles, rectOf, selectionBounds } from './canvas-bounds'
import { addToHistory } from './history-store'
import { isAlive } from './is-alive'
import { markGenerated } from './provenance'
import { isFillable } from './read-selection'
import { showResults } from './show-results'

type FillTarget = SceneNode & MinimalFillsMixin

/** One place a result goes. The layer can be deleted or undone at any time while the job runs. */
interface Slot {
  node: FillTarget
  /** Where the layer was, so a paid image whose layer is gone can still be placed there. */
  rect: Rect
  originalFills: readonly Paint[] | null
  placed: Provenance | null
}

interface Job {
  plan: PlacementPlan
  page: PageNode
  /** The selection when the job started: results are selected only if it has not changed. */
  selectionAtStart: string[]
  slots: Slot[]
}

const jobs = new Map<string, Job>()

const PLACEHOLDER_FILL: SolidPaint = { type: 'SOLID', color: { r: 0.9, g: 0.9, b: 0.92 } }
const THUMBNAIL_WIDTH = 96

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

function placeholderSlots(plan: PlacementPlan, page: PageNode): Slot[] {
  const sizes = plan.slots.map(({ width, height }) => ({ width, height }))
  const block = boundsOf(layoutVariations(sizes, { x: 0, y: 0 }, []))
  const anchor = layoutAnchor(selectionBounds(page.selection), figma.viewport.center, block)
  return layoutVariations(sizes, anchor, pageObstacles(page)).map((rect, index) => ({
    node: createFrameAt(page, rect, `${plan.slots[index].name} (generating…)`, [PLACEHOLDER_FILL]),
    rect,
    originalFills: null,
    placed: null,
  }))
}

async function fillSlots(plan: PlacementPlan): Promise<Slot[]> {
  const nodes = await Promise.all(
    plan.slots.map(async (slot) => {
      const node = slot.targetNodeId ? await figma.getNodeByIdAsync(slot.targetNodeId) : null
      if (!isAlive(node) || node.type === 'PAGE' || node.type === 'DOCUMENT' || !isFillable(node)) {
        throw new Error(
          `"${slot.name}" was deleted or can no longer take an image. Select the layers again.`,
        )
      }
      return node
    }),
  )
  return nodes.map((node) => ({
    node,
    rect: rectOf(node),
    originalFills: node.fills as readonly Paint[],
    placed: null,
  }))
}

/**
 * Makes room for a generation: placeholder frames beside the selection, or the selected layers
 * themselves. Nothing is committed to undo here, so the placeholders and the final images become
 * one undo step when the job ends.
 */
export async function startPlacement(plan: PlacementPlan) {
  const page = figma.currentPage
  const selectionAtStart = page.selection.map((node) => node.id)
  const slots = plan.mode === 'frames' ? placeholderSlots(plan, page) : await fillSlots(plan)
  jobs.set(plan.jobId, { plan, page, selectionAtStart, slots })
  figma.viewport.scrollAndZoomIntoView(slots.map((slot) => slot.node))
}

export function showPartial(jobId: string, index: number, bytes: Uint8Array) {
  const slot = jobs.get(jobId)?.slots[index]
  if (!slot || slot.placed || !isAlive(slot.node)) return
  slot.node.fills = [imageFill(bytes)]
}

/** A paid image is never lost: when its layer is gone, it goes in a new frame where the layer was. */
function layerFor(job: Job, index: number): FillTarget {
  const slot = job.slots[index]
  if (isAlive(slot.node)) return slot.node
  const page = isAlive(job.page) ? job.page : figma.currentPage
  slot.node = createFrameAt(page, slot.rect, job.plan.slots[index].name, [])
  return slot.node
}

export function placeImage(
  jobId: string,
  index: number,
  bytes: Uint8Array,
  provenance: Provenance,
) {
  const job = jobs.get(jobId)
  const slot = job?.slots[index]
  if (!job || !slot) return
  const fill = imageFill(bytes)
  const recreated = !isAlive(slot.node)
  const node = layerFor(job, index)
  node.fills = [fill]
  if (job.plan.mode === 'frames' || recreated) node.name = job.plan.slots[index].name
  markGenerated(node, provenance)
  slot.placed = provenance
}

/** Takes back what did not get a result: placeholder frames go, original fills come back. */
function clearUnplaced(job: Job) {
  for (const slot of job.slots) {
    if (slot.placed || !isAlive(slot.node)) continue
    try {
      if (slot.originalFills) slot.node.fills = slot.originalFills
      else slot.node.remove()
    } catch {
      // One layer that cannot be cleaned up must not leave the others behind.
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

/** Ends a generation as one undo step, shows the results politely and records history. */
export async function finishPlacement(
  jobId: string,
): Promise<{ placed: number; history: HistoryEntry[] | null }> {
  const job = jobs.get(jobId)
  if (!job) return { placed: 0, history: null }
  jobs.delete(jobId)
  clearUnplaced(job)
  figma.commitUndo()
  const nodes = placedNodes(job)
  showResults(job.page, nodes, job.selectionAtStart)
  const entries = await historyEntries(job)
  return {
    placed: nodes.length,
    history: entries.length > 0 ? await addToHistory(entries) : null,
  }
}

export function cancelPlacement(jobId: string) {
  const job = jobs.get(jobId)
  if (!job) return
  jobs.delete(jobId)
  clearUnplaced(job)
  figma.commitUndo()
}

/**
 * The plugin is closing (its window closed, or a relaunch button restarted it): placeholders with
 * no image go and fills come back, synchronously, as Figma runs nothing after this.
 */
export function cancelAllPlacements() {
  for (const job of jobs.values()) clearUnplaced(job)
  jobs.clear()
}
