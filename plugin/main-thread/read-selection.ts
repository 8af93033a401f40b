import type { LayerRole, SelectionItem } from '../types'
import { rectOf } from './canvas-bounds'
import { readProvenance } from './provenance'

const THUMBNAIL_HEIGHT = 64
/** The most references a request takes. */
export const MAX_LISTED = 16

/** Lines and sections have fills too, but an image in them is invisible or covered. */
const NEVER_FILLED = new Set<NodeType>(['TEXT', 'LINE', 'SECTION', 'SLICE', 'STICKY', 'CONNECTOR'])
const CONTAINERS = new Set<NodeType>([
  'FRAME',
  'COMPONENT',
  'COMPONENT_SET',
  'INSTANCE',
  'GROUP',
  'SECTION',
])
const SHAPES = new Set<NodeType>([
  'RECTANGLE',
  'ELLIPSE',
  'POLYGON',
  'STAR',
  'VECTOR',
  'LINE',
  'BOOLEAN_OPERATION',
])

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

function showsAnImage(node: SceneNode): boolean {
  if ('children' in node && node.children.length > 0) return false
  if (!('fills' in node) || node.fills === figma.mixed) return false
  return node.fills.some((paint) => paint.type === 'IMAGE' && paint.visible !== false)
}

/** What the layer is to the actions: an image, a shape drawn over something, a frame, or other. */
export function roleOf(node: SceneNode): LayerRole {
  if (showsAnImage(node)) return 'image'
  if (CONTAINERS.has(node.type)) return 'frame'
  if (SHAPES.has(node.type)) return 'shape'
  return 'other'
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
  const { x, y } = rectOf(node)
  return {
    id: node.id,
    name: node.name,
    type: node.type,
    role: roleOf(node),
    x,
    y,
    width: node.width,
    height: node.height,
    fillable: isFillable(node),
    provenance: readProvenance(node),
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
