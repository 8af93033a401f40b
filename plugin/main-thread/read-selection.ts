import type { SelectionItem } from '../types'

const THUMBNAIL_HEIGHT = 64
const MAX_LISTED = 16

/** Layers whose fills can take a generated image in "Fill selection" mode. */
export function isFillable(node: SceneNode): node is SceneNode & MinimalFillsMixin {
  return 'fills' in node && node.type !== 'TEXT' && node.fills !== figma.mixed
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

/** The current selection, as reference thumbnails for the UI (at most 16, the most a request takes). */
export async function readSelection(selection: readonly SceneNode[]): Promise<SelectionItem[]> {
  return Promise.all(
    selection.slice(0, MAX_LISTED).map(async (node) => ({
      id: node.id,
      name: node.name,
      type: node.type,
      width: node.width,
      height: node.height,
      fillable: isFillable(node),
      thumbnail: await thumbnailOf(node),
    })),
  )
}
