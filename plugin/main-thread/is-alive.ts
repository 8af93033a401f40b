/** Figma throws on any write to a layer that was deleted, undone or removed by a collaborator. */
export function isAlive<T extends BaseNode>(node: T | null | undefined): node is T {
  return node !== null && node !== undefined && !node.removed
}
