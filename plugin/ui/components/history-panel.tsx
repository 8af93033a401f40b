import { Button } from '@create-figma-plugin/ui'
import { h } from 'preact'
import type { HistoryEntry } from '../../types'
import styles from '../app.css'
import { useObjectUrl } from '../use-object-url'

function HistoryRow(props: { entry: HistoryEntry; onPlace: () => void; onReuse: () => void }) {
  const url = useObjectUrl(props.entry.thumbnail, 'image/jpeg')
  const { provenance } = props.entry
  return (
    <div class={styles.history} data-history={props.entry.id}>
      <div class={styles.historyThumb} style={url ? { backgroundImage: `url(${url})` } : {}} />
      <div style={{ flex: 1, minWidth: 0 }}>
        <div class={styles.historyText}>{provenance.prompt}</div>
        <div class={styles.muted}>
          {provenance.model} · {provenance.size} · {provenance.quality}
          {provenance.preview ? ' · preview' : ''}
        </div>
        {props.entry.note && <div class={styles.muted}>{props.entry.note}</div>}
        <div class={styles.row} style={{ marginTop: 4 }}>
          <Button secondary onClick={props.onPlace}>
            Place again
          </Button>
          <Button secondary onClick={props.onReuse}>
            Reuse prompt
          </Button>
        </div>
      </div>
    </div>
  )
}

export function HistoryPanel(props: {
  history: HistoryEntry[]
  onPlace: (id: string) => void
  onReuse: (entry: HistoryEntry) => void
}) {
  if (props.history.length === 0) {
    return (
      <div class={styles.body}>
        <div class={styles.muted}>
          Your generations appear here, so you can place them again or reuse their prompts.
        </div>
      </div>
    )
  }
  return (
    <div class={styles.body}>
      {props.history.map((entry) => (
        <HistoryRow
          key={entry.id}
          entry={entry}
          onPlace={() => props.onPlace(entry.id)}
          onReuse={() => props.onReuse(entry)}
        />
      ))}
    </div>
  )
}
