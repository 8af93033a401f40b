import { useCallback, useEffect, useRef, useState } from 'preact/hooks'
import type { SelectionItem } from '../types'

interface Pinned {
  items: SelectionItem[]
  /** The results of the generation, which are selected on the canvas while the strip stays pinned. */
  resultIds: string[]
}

const sameIds = (items: SelectionItem[], ids: string[]) =>
  items.length === ids.length && items.every((item) => ids.includes(item.id))

/**
 * The layers a generation works on. After a generation they stay pinned to the layers it used,
 * while its results are selected on the canvas; they follow the canvas again as soon as the
 * designer selects something else, or asks to.
 */
export function useSources(selection: SelectionItem[]) {
  const [pinned, setPinned] = useState<Pinned | null>(null)
  const pinnedRef = useRef(pinned)
  pinnedRef.current = pinned
  useEffect(() => {
    const current = pinnedRef.current
    if (current && !sameIds(selection, current.resultIds)) setPinned(null)
  }, [selection])
  const pin = useCallback((items: SelectionItem[], resultIds: string[]) => {
    if (items.length > 0) setPinned({ items, resultIds })
  }, [])
  const unpin = useCallback(() => setPinned(null), [])
  return { sources: pinned?.items ?? selection, pinned: pinned !== null, pin, unpin }
}
