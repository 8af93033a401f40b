import { h } from 'preact'
import styles from '../app.css'

export interface NoticeMessage {
  text: string
  /** An error needs the designer; info confirms what happened; a hint says why Generate waits. */
  kind: 'error' | 'info' | 'hint'
}

/** The plugin's one status area. */
export function Notice({ notice, id }: { notice: NoticeMessage | null; id?: string }) {
  if (!notice) return null
  if (notice.kind === 'hint')
    return (
      <div id={id} class={styles.hint} role="status" data-testid="status" data-kind="hint">
        {notice.text}
      </div>
    )
  return (
    <div
      id={id}
      role={notice.kind === 'error' ? 'alert' : 'status'}
      class={`${styles.notice} ${notice.kind === 'info' ? styles.info : ''}`}
      data-testid="status"
      data-kind={notice.kind}
    >
      {notice.text}
    </div>
  )
}
