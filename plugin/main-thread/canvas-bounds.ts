import type { Rect } from '../utilities/layout-variations'
import { boundsOf } from '../utilities/layout-variations'

export function rectOf(node: SceneNode): Rect {
  const box = 'absoluteBoundingBox' in node ? node.absoluteBoundingBox : null
  return box ?? { x: node.x, y: node.y, width: node.width, height: node.height }
}

export function selectionBounds(selection: readonly SceneNode[]): Rect | null {
  return selection.length > 0 ? boundsOf(selection.map(rectOf)) : null
}

/** Every top-level layer of the page: results must not cover any of them. */
export function pageObstacles(page: PageNode): Rect[] {
  return page.children.map(rectOf)
}
