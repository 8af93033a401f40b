import type { HistoryPlacedHandler, PlaceFromHistoryHandler } from '../events'
import type { HistoryEntry } from '../types'
import { callMain } from './call-main'
import type { NoticeMessage } from './components/notice'

/** Places a History image on the canvas again, and says what happened. */
export async function placeFromHistory(entry: HistoryEntry): Promise<NoticeMessage> {
  const [problem] = await callMain<PlaceFromHistoryHandler, HistoryPlacedHandler>(
    'PLACE_FROM_HISTORY',
    'HISTORY_PLACED',
    entry.id,
  )
  if (problem) return { kind: 'error', text: problem }
  return { kind: 'info', text: 'Placed the image on the canvas again, and selected it.' }
}
