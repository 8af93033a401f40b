import { emit } from '@create-figma-plugin/utilities'
import type { SelectionChangedHandler } from '../events'
import { readSelection } from './read-selection'

let latest = 0

/**
 * Sends the selection to the UI after each change. Thumbnails take a while to export, so a slow
 * read of an older selection can finish after a newer one: only the newest is sent.
 */
export async function sendSelection() {
  const sequence = ++latest
  const items = await readSelection(figma.currentPage.selection)
  if (sequence === latest) emit<SelectionChangedHandler>('SELECTION_CHANGED', items)
}
