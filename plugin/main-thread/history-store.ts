import type { FinishedImage, HistoryEntry } from '../types'
import { oneAtATime } from '../utilities/one-at-a-time'

const HISTORY_KEY = 'promptframe.history'
export const HISTORY_LIMIT = 40
/** clientStorage holds 5 MB per plugin; history keeps well under it. */
export const HISTORY_BYTE_BUDGET = 2 * 1024 * 1024

export async function loadHistory(): Promise<HistoryEntry[]> {
  return ((await figma.clientStorage.getAsync(HISTORY_KEY)) as HistoryEntry[] | undefined) ?? []
}

/** Newest first, at most HISTORY_LIMIT entries and HISTORY_BYTE_BUDGET bytes of thumbnails. */
export function trimHistory(entries: HistoryEntry[]): HistoryEntry[] {
  const kept: HistoryEntry[] = []
  let bytes = 0
  for (const entry of entries.slice(0, HISTORY_LIMIT)) {
    bytes += (entry.thumbnail?.length ?? 0) + entry.provenance.prompt.length * 2 + 256
    if (bytes > HISTORY_BYTE_BUDGET) break
    kept.push(entry)
  }
  return kept
}

/**
 * Keeps images that finished after a cancel: the file holds them, History lists them. One Figma
 * cannot read is left out, not the others with it.
 */
export async function addFinishedImages(images: FinishedImage[]): Promise<HistoryEntry[]> {
  const entries = images.flatMap((image) => {
    let imageHash: string
    try {
      imageHash = figma.createImage(image.bytes).hash
    } catch {
      return []
    }
    return [
      {
        id: image.id,
        createdAt: new Date().toISOString(),
        provenance: image.provenance,
        imageHash,
        width: image.width,
        height: image.height,
        thumbnail: image.thumbnail,
        note: image.note,
      },
    ]
  })
  return addToHistory(entries)
}

const oneAddition = oneAtATime()

/**
 * Adds entries newest first, one addition at a time (each reads what the one before wrote), and
 * skips an entry History already has.
 */
export function addToHistory(entries: HistoryEntry[]): Promise<HistoryEntry[]> {
  return oneAddition(async () => {
    const stored = await loadHistory()
    const fresh = entries.filter((entry) => !stored.some((kept) => kept.id === entry.id))
    const history = trimHistory([...fresh, ...stored])
    await figma.clientStorage.setAsync(HISTORY_KEY, history)
    return history
  })
}
