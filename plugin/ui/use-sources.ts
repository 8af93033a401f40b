import { useCallback, useEffect, useRef, useState } from 'preact/hooks'
import type { SelectionItem } from '../types'

interface Pinned {
  items: SelectionItem[]
  /** The results of the generation, which are selected on the canvas while the strip stays pinned. */
  resultIds: string[]
}

const sameIds = (items: readonly string[], ids: readonly string[]) =>
  items.length === ids.length && items.every((id) => ids.includes(id))

/**
 * Whether the strip may pin the layers a generation used. Its end reaches the UI after the
 * selection may have moved on: the selection the UI last saw must still be the one the
 * generation started from (the results' own selection not yet reported) or the results.
 */
export function maySourcesPin(
  latest: readonly string[],
  atStart: readonly string[],
  results: readonly string[],
) {
  return sameIds(latest, atStart) || sameIds(latest, results)
}

/**
 * The layers a generation works on. After a generation they stay pinned to the layers it used,
 * while its results are selected on the canvas; they follow the canvas again as soon as the
 * designer selects something else, or asks to.
 */
export function useSources(selection: SelectionItem[]) {
  const [pinned, setPinned] = useState<Pinned | null>(null)
  const pinnedRef = useRef(pinned)
  pinnedRef.current = pinned
  const selectionRef = useRef(selection)
  selectionRef.current = selection
  useEffect(() => {
    const current = pinnedRef.current
    if (current && !sameIds(ids(selection), current.resultIds)) setPinned(null)
  }, [selection])
  const pin = useCallback(
    (items: SelectionItem[], resultIds: string[], selectedAtStart: string[]) => {
      if (items.length === 0) return
      if (!maySourcesPin(ids(selectionRef.current), selectedAtStart, resultIds)) return
      setPinned({ items, resultIds })
    },
    [],
  )
  const unpin = useCallback(() => setPinned(null), [])
  return { sources: pinned?.items ?? selection, pinned: pinned !== null, pin, unpin }
}

const ids = (items: SelectionItem[]) => items.map((item) => item.id)
