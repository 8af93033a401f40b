import { isAlive } from './is-alive'

function sameIds(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((id) => b.includes(id))
}

async function reveal(page: PageNode, nodes: readonly SceneNode[]) {
  const alive = nodes.filter(isAlive)
  if (alive.length === 0 || !isAlive(page)) return
  if (figma.currentPage !== page) await figma.setCurrentPageAsync(page)
  page.selection = alive
  figma.viewport.scrollAndZoomIntoView(alive)
}

/**
 * Selects the results and brings them into view, but only when the designer is where they were
 * when they pressed Generate; a generation takes minutes, and they may be editing elsewhere by now.
 * Otherwise a notice offers to show them.
 */
export function showResults(
  page: PageNode,
  nodes: readonly SceneNode[],
  selectionAtStart: string[],
): boolean {
  if (nodes.length === 0) return false
  const undisturbed =
    figma.currentPage === page &&
    sameIds(
      page.selection.map((node) => node.id),
      selectionAtStart,
    )
  if (undisturbed) {
    reveal(page, nodes)
    return true
  }
  const count = nodes.length === 1 ? 'Your image is' : `Your ${nodes.length} images are`
  figma.notify(`${count} ready on "${page.name}".`, {
    timeout: 10_000,
    button: { text: 'Show', action: () => void reveal(page, nodes) },
  })
  return false
}
