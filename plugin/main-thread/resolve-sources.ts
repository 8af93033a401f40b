import type { SelectionItem } from '../types'
import { describeLayer, MAX_LISTED } from './read-selection'

function isSceneNode(node: BaseNode | null): node is SceneNode {
  return node !== null && node.type !== 'PAGE' && node.type !== 'DOCUMENT' && !node.removed
}

/**
 * The layers a generation works on, read again at Generate: the given ids, or the canvas selection
 * as it is now when none are given (the UI's list may lag behind it). Null when one of the given
 * layers is gone.
 */
export async function resolveSources(
  nodeIds: string[] | null,
  excluded: string[],
): Promise<SelectionItem[] | null> {
  if (nodeIds === null) {
    return figma.currentPage.selection
      .slice(0, MAX_LISTED)
      .filter((node) => !excluded.includes(node.id))
      .map(describeLayer)
  }
  const nodes = await Promise.all(nodeIds.map((id) => figma.getNodeByIdAsync(id)))
  if (!nodes.every(isSceneNode)) return null
  return (nodes as SceneNode[]).filter((node) => !excluded.includes(node.id)).map(describeLayer)
}
