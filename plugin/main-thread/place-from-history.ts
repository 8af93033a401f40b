import type { HistoryEntry } from '../types'
import { layerName } from '../utilities/layer-name'
import { layoutAnchor, layoutVariations } from '../utilities/layout-variations'
import { pageObstacles, selectionBounds } from './canvas-bounds'
import { markGenerated } from './provenance'

/** Places a result from history again, from the image this file already holds. */
export function placeFromHistory(entry: HistoryEntry, markAiGenerated: boolean): string | null {
  const image = figma.getImageByHash(entry.imageHash)
  if (!image) return 'This image is not in this file any more. Generate it again from its prompt.'
  const page = figma.currentPage
  const size = { width: entry.width, height: entry.height }
  const anchor = layoutAnchor(selectionBounds(page.selection), figma.viewport.center, size)
  const [rect] = layoutVariations([size], anchor, pageObstacles(page))
  const frame = figma.createFrame()
  frame.resize(rect.width, rect.height)
  frame.x = rect.x
  frame.y = rect.y
  frame.name = layerName(entry.provenance.prompt, markAiGenerated)
  frame.fills = [{ type: 'IMAGE', scaleMode: 'FILL', imageHash: entry.imageHash }]
  markGenerated(frame, entry.provenance)
  page.appendChild(frame)
  figma.commitUndo()
  page.selection = [frame]
  figma.viewport.scrollAndZoomIntoView([frame])
  return null
}
