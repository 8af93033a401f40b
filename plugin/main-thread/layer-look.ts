import type { LayerLook } from '../utilities/image-as-is'

/** What decides whether a layer shows its image untouched, read off the layer. */
export function lookOf(node: SceneNode): LayerLook {
  const visible = <T extends { visible?: boolean }>(list: readonly T[] | symbol | undefined) =>
    Array.isArray(list) ? list.filter((item: T) => item.visible !== false) : []
  const strokes = 'strokes' in node ? visible(node.strokes) : []
  const strokeWeight = 'strokeWeight' in node ? node.strokeWeight : 0
  return {
    width: node.width,
    height: node.height,
    rotation: 'rotation' in node ? node.rotation : 0,
    opacity: 'opacity' in node ? node.opacity : 1,
    hasChildren: 'children' in node && node.children.length > 0,
    hasVisibleEffects: 'effects' in node && visible(node.effects).length > 0,
    hasVisibleStrokes: strokes.length > 0 && strokeWeight !== 0,
    visibleFills: 'fills' in node ? visible(node.fills) : [],
  }
}
