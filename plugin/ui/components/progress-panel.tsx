import { Button, LoadingIndicator } from '@create-figma-plugin/ui'
import { h } from 'preact'
import { useEffect, useState } from 'preact/hooks'
import styles from '../app.css'

export function ProgressPanel(props: {
  stage: string
  delivered: number
  total: number
  startedAt: number
  onCancel: () => void
}) {
  const [now, setNow] = useState(Date.now())
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 500)
    return () => clearInterval(timer)
  }, [])
  const seconds = Math.max(0, Math.round((now - props.startedAt) / 1000))
  return (
    <div data-testid="progress">
      <div class={styles.spread}>
        <div class={styles.row}>
          <LoadingIndicator />
          <span class={styles.muted}>
            {props.stage} · {props.delivered}/{props.total} · {seconds}s
          </span>
        </div>
        <Button secondary onClick={props.onCancel} title="Cancel (Esc)">
          Cancel
        </Button>
      </div>
      <div class={styles.progress}>
        <div
          class={styles.progressBar}
          style={{ width: `${(100 * (props.delivered + 0.3)) / (props.total + 0.3)}%` }}
        />
      </div>
    </div>
  )
}
