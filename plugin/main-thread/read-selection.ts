import type { SelectionItem } from '../types'

const THUMBNAIL_HEIGHT = 64
/** The most references a request takes. */
export const MAX_LISTED = 16

/** Lines and sections have fills too, but an image in them is invisible or covered. */
const NEVER_FILLED = new Set<NodeType>(['TEXT', 'LINE', 'SECTION', 'SLICE', 'STICKY', 'CONNECTOR'])

/** Layers whose fills can take a generated image in "Fill selection" mode. */
export function isFillable(node: SceneNode): node is SceneNode & MinimalFillsMixin {
  return (
    'fills' in node &&
    !NEVER_FILLED.has(node.type) &&
    node.fills !== figma.mixed &&
    node.width >= 1 &&
    node.height >= 1
  )
}

async function thumbnailOf(node: SceneNode): Promise<Uint8Array | null> {
  try {
    return await node.exportAsync({
      format: 'PNG',
      constraint: { type: 'HEIGHT', value: THUMBNAIL_HEIGHT },
    })
  } catch {
    return null
  }
}

/** A layer as the UI lists it, read now; no thumbnail. */
export function describeLayer(node: SceneNode): SelectionItem {
  return {
    id: node.id,
    name: node.name,
    type: node.type,
    width: node.width,
    height: node.height,
    fillable: isFillable(node),
    thumbnail: null,
  }
}

/** The current selection, as reference thumbnails for the UI (at most 16, the most a request takes). */
export async function readSelection(selection: readonly SceneNode[]): Promise<SelectionItem[]> {
  return Promise.all(
    selection.slice(0, MAX_LISTED).map(async (node) => ({
      ...describeLayer(node),
      thumbnail: await thumbnailOf(node),
    })),
  )
}
