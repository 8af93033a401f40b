import { emit, on, once } from '@create-figma-plugin/utilities'
import { useEffect, useState } from 'preact/hooks'
import type {
  HistoryChangedHandler,
  SelectionChangedHandler,
  StartupHandler,
  UiReadyHandler,
} from '../events'
import type { HistoryEntry, SelectionItem, StartupData } from '../types'

/**
 * What the main thread tells the UI: startup data, then the selection and history as they change.
 * Handlers are registered before UI_READY goes out, so no message arrives without one.
 */
export function useMainThread() {
  const [startup, setStartup] = useState<StartupData | null>(null)
  const [selection, setSelection] = useState<SelectionItem[]>([])
  const [history, setHistory] = useState<HistoryEntry[]>([])
  useEffect(() => {
    const stops = [
      once<StartupHandler>('STARTUP', (data) => {
        setHistory(data.history)
        setStartup(data)
      }),
      on<SelectionChangedHandler>('SELECTION_CHANGED', setSelection),
      on<HistoryChangedHandler>('HISTORY_CHANGED', setHistory),
    ]
    emit<UiReadyHandler>('UI_READY')
    return () => {
      for (const stop of stops) stop()
    }
  }, [])
  return { startup, selection, history }
}
