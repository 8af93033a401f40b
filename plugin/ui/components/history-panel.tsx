import { h } from 'preact'
import type { HistoryEntry } from '../../types'
import styles from '../app.css'
import { useObjectUrl } from '../use-object-url'

export interface HistoryActions {
  onPlace: (entry: HistoryEntry) => void
  onReuse: (entry: HistoryEntry) => void
  onCopy: (entry: HistoryEntry) => void
}

function HistoryRow(props: HistoryActions & { entry: HistoryEntry }) {
  const { entry } = props
  const url = useObjectUrl(entry.thumbnail, 'image/jpeg')
  const { provenance } = entry
  return (
    <div class={styles.history} data-history={entry.id}>
      <div class={styles.historyThumb} style={url ? { backgroundImage: `url(${url})` } : {}} />
      <div style={{ flex: 1, minWidth: 0 }}>
        <div class={styles.historyText}>{provenance.prompt}</div>
        <div class={styles.muted}>
          {provenance.model} · {provenance.size} · {provenance.quality}
          {provenance.preview ? ' · preview' : ''}
        </div>
        {entry.note && <div class={styles.muted}>{entry.note}</div>}
        <div class={styles.row} style={{ marginTop: 4 }}>
          <button type="button" class={styles.historyButton} onClick={() => props.onPlace(entry)}>
            Place again
          </button>
          <button
            type="button"
            class={styles.historyButton}
            title="Use this prompt, model, ratio and quality in the form"
            onClick={() => props.onReuse(entry)}
          >
            Reuse
          </button>
          <button type="button" class={styles.historyButton} onClick={() => props.onCopy(entry)}>
            Copy prompt
          </button>
        </div>
      </div>
    </div>
  )
}

export function HistoryPanel(props: HistoryActions & { history: HistoryEntry[] }) {
  return (
    <div class={styles.body} data-scroll>
      {props.history.length === 0 ? (
        <div class={styles.muted}>
          Your generations appear here, so you can place them again or reuse their settings.
        </div>
      ) : (
        props.history.map((entry) => <HistoryRow key={entry.id} entry={entry} {...props} />)
      )}
    </div>
  )
}
