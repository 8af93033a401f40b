import { h } from 'preact'
import type { SelectionItem } from '../../types'
import styles from '../app.css'
import { useObjectUrl } from '../use-object-url'

function Thumb({ item, onRemove }: { item: SelectionItem; onRemove: () => void }) {
  const url = useObjectUrl(item.thumbnail)
  return (
    <div
      class={styles.thumb}
      title={item.name}
      data-reference={item.id}
      style={url ? { backgroundImage: `url(${url})` } : {}}
    >
      <button
        type="button"
        class={styles.remove}
        aria-label={`Remove ${item.name}`}
        onClick={onRemove}
      >
        ×
      </button>
    </div>
  )
}

export function ReferenceStrip(props: {
  items: SelectionItem[]
  onRemove: (id: string) => void
  emptyText: string
}) {
  if (props.items.length === 0) return <div class={styles.muted}>{props.emptyText}</div>
  return (
    <div class={styles.thumbs}>
      {props.items.map((item) => (
        <Thumb key={item.id} item={item} onRemove={() => props.onRemove(item.id)} />
      ))}
    </div>
  )
}
