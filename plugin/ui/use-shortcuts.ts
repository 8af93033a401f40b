import { useEffect, useRef } from 'preact/hooks'

export interface Shortcuts {
  /** Cmd/Ctrl+Enter, from anywhere in the plugin. */
  onGenerate: () => void
  /** Esc; returns whether it did something, so Esc stays free for the controls otherwise. */
  onEscape: () => boolean
}

/** The plugin's keyboard shortcuts, bound once; the latest handlers always answer. */
export function useShortcuts(shortcuts: Shortcuts) {
  const latest = useRef(shortcuts)
  latest.current = shortcuts
  useEffect(() => {
    const onKeyDown = (event: KeyboardEvent) => {
      if (event.key === 'Enter' && (event.metaKey || event.ctrlKey)) {
        event.preventDefault()
        latest.current.onGenerate()
      } else if (event.key === 'Escape' && latest.current.onEscape()) {
        event.preventDefault()
      }
    }
    window.addEventListener('keydown', onKeyDown)
    return () => window.removeEventListener('keydown', onKeyDown)
  }, [])
}
