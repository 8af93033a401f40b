import { useEffect } from 'preact/hooks'
import type { Settings, UnfinishedRun } from '../types'
import type { NoticeMessage } from './components/notice'
import { recoverUnfinished } from './recover-unfinished'

export const recoveredMessage = (count: number) =>
  count === 1
    ? '1 image finished after Promptframe was closed. It is in History, and was charged.'
    : `${count} images finished after Promptframe was closed. They are in History, and were charged.`

/**
 * On open, brings the images of generations that finished while the plugin was closed into
 * History, says so, and reads the balance again.
 */
export function useRecovery(
  settings: Settings,
  unfinished: UnfinishedRun[],
  hooks: { onNotice: (notice: NoticeMessage) => void; onSettled: () => void },
) {
  // Once, with the settings the plugin opened with: the runs belong to that token.
  useEffect(() => {
    if (!settings.token || unfinished.length === 0) return
    void recoverUnfinished(settings, unfinished).then((count) => {
      hooks.onSettled()
      if (count > 0) hooks.onNotice({ kind: 'info', text: recoveredMessage(count) })
    })
  }, [])
}
