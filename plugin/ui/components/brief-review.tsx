import { Button, TextboxMultiline } from '@create-figma-plugin/ui'
import { h } from 'preact'
import { useState } from 'preact/hooks'
import styles from '../app.css'

/** The enhanced brief, editable, to accept into the prompt or discard. */
export function BriefReview(props: {
  brief: string
  onAccept: (prompt: string) => void
  onDiscard: () => void
}) {
  const [draft, setDraft] = useState(props.brief)
  return (
    <div class={styles.body} data-testid="brief-review" data-scroll>
      <label class={styles.label} for="brief">
        Enhanced brief: edit it, then use it as your prompt
      </label>
      <TextboxMultiline id="brief" value={draft} rows={10} onValueInput={setDraft} />
      <div class={styles.row}>
        <Button onClick={() => props.onAccept(draft)}>Use this prompt</Button>
        <Button secondary onClick={props.onDiscard}>
          Keep mine
        </Button>
      </div>
    </div>
  )
}
