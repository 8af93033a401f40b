import { h } from 'preact'
import styles from '../app.css'

export interface NoticeMessage {
  text: string
  kind: 'error' | 'info'
}

export function Notice({ notice }: { notice: NoticeMessage | null }) {
  if (!notice) return null
  return (
    <div
      role={notice.kind === 'error' ? 'alert' : 'status'}
      class={`${styles.notice} ${notice.kind === 'info' ? styles.info : ''}`}
    >
      {notice.text}
    </div>
  )
}
