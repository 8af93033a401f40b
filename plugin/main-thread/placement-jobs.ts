import type { HistoryEntry, PlacementPlan, Provenance } from '../types'
import { boundsOf, layoutAnchor, layoutVariations } from '../utilities/layout-variations'
import { pageObstacles, selectionBounds } from './canvas-bounds'
import { addToHistory } from './history-store'
import { markGenerated } from './provenance'
import { isFillable } from './read-selection'

type FillTarget = SceneNode & MinimalFillsMixin

interface Job {
  plan: PlacementPlan
  nodes: FillTarget[]
  /** In fill mode, each target's fills before the job, restored where no result arrived. */
  originalFills: Map<string, readonly Paint[]>
  placed: Map<number, Provenance>
}

const jobs = new Map<string, Job>()

const PLACEHOLDER_FILL: SolidPaint = { type: 'SOLID', color: { r: 0.9, g: 0.9, b: 0.92 } }
const THUMBNAIL_WIDTH = 96

function imageFill(bytes: Uint8Array): ImagePaint {
  const image = figma.createImage(bytes)
  return { type: 'IMAGE', scaleMode: 'FILL', imageHash: image.hash }
}

function createPlaceholderFrames(plan: PlacementPlan): FrameNode[] {
  const page = figma.currentPage
  const sizes = plan.slots.map(({ width, height }) => ({ width, height }))
  const obstacles = pageObstacles(page)
  const block = boundsOf(layoutVariations(sizes, { x: 0, y: 0 }, []))
  const anchor = layoutAnchor(selectionBounds(page.selection), figma.viewport.center, block)
  return layoutVariations(sizes, anchor, obstacles).map((rect, index) => {
    const frame = figma.createFrame()
    frame.resize(rect.width, rect.height)
    frame.x = rect.x
    frame.y = rect.y
    frame.name = `${plan.slots[index].name} (generating…)`
    frame.fills = [PLACEHOLDER_FILL]
    page.appendChild(frame)
    return frame
  })
}

async function fillTargets(plan: PlacementPlan): Promise<FillTarget[]> {
  return Promise.all(
    plan.slots.map(async (slot) => {
      const node = slot.targetNodeId ? await figma.getNodeByIdAsync(slot.targetNodeId) : null
      if (!node || node.type === 'PAGE' || node.type === 'DOCUMENT' || !isFillable(node)) {
        throw new Error(
          `"${slot.name}" was deleted or can no longer take an image. Select the layers again.`,
        )
      }
      return node
    }),
  )
}

/** Makes room for a generation: placeholder frames beside the selection, or the selected layers themselves. */
export async function startPlacement(plan: PlacementPlan) {
  figma.commitUndo()
  const nodes = plan.mode === 'frames' ? createPlaceholderFrames(plan) : await fillTargets(plan)
  const originalFills = new Map(
    plan.mode === 'fill'
      ? nodes.map((node) => [node.id, node.fills as readonly Paint[]] as const)
      : [],
  )
  jobs.set(plan.jobId, { plan, nodes, originalFills, placed: new Map() })
  figma.viewport.scrollAndZoomIntoView(nodes)
}

export function showPartial(jobId: string, slot: number, bytes: Uint8Array) {
  const job = jobs.get(jobId)
  const node = job?.nodes[slot]
  if (!job || !node || job.placed.has(slot)) return
  node.fills = [imageFill(bytes)]
}

export function placeImage(jobId: string, slot: number, bytes: Uint8Array, provenance: Provenance) {
  const job = jobs.get(jobId)
  const node = job?.nodes[slot]
  if (!job || !node) return
  node.fills = [imageFill(bytes)]
  if (job.plan.mode === 'frames') node.name = job.plan.slots[slot].name
  markGenerated(node, provenance)
  job.placed.set(slot, provenance)
}

/** Takes back what did not get a result: placeholder frames go, original fills come back. */
function clearUnplaced(job: Job) {
  job.nodes.forEach((node, slot) => {
    if (job.placed.has(slot)) return
    if (job.plan.mode === 'frames') node.remove()
    else node.fills = job.originalFills.get(node.id) ?? []
  })
}

async function historyEntries(job: Job): Promise<HistoryEntry[]> {
  const entries: HistoryEntry[] = []
  for (const [slot, provenance] of job.placed) {
    const node = job.nodes[slot]
    const paint = (node.fills as readonly Paint[])[0]
    if (paint?.type !== 'IMAGE' || !paint.imageHash) continue
    const thumbnail = await node
      .exportAsync({ format: 'JPG', constraint: { type: 'WIDTH', value: THUMBNAIL_WIDTH } })
      .catch(() => null)
    entries.push({
      id: `${provenance.requestId}:${slot}`,
      createdAt: new Date().toISOString(),
      provenance,
      imageHash: paint.imageHash,
      width: node.width,
      height: node.height,
      thumbnail,
    })
  }
  return entries
}

/** Ends a generation as one undo step, selects the results and brings them into view. */
export async function finishPlacement(
  jobId: string,
): Promise<{ placed: number; history: HistoryEntry[] | null }> {
  const job = jobs.get(jobId)
  if (!job) return { placed: 0, history: null }
  jobs.delete(jobId)
  clearUnplaced(job)
  const placedNodes = job.nodes.filter((_, slot) => job.placed.has(slot))
  figma.commitUndo()
  if (placedNodes.length > 0) {
    figma.currentPage.selection = placedNodes
    figma.viewport.scrollAndZoomIntoView(placedNodes)
  }
  const entries = await historyEntries(job)
  return {
    placed: placedNodes.length,
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
