import { Button, Text, Textbox, Toggle } from '@create-figma-plugin/ui'
import { h } from 'preact'
import { useState } from 'preact/hooks'
import type { Settings } from '../../types'
import { addressProblem } from '../api/address-check'
import styles from '../app.css'

export function SettingsPanel(props: {
  settings: Settings
  balance: number | null
  onSave: (settings: Settings) => void
}) {
  const [draft, setDraft] = useState(props.settings)
  const [tried, setTried] = useState(false)
  const problem = addressProblem(draft.workerUrl.trim())
  const set =
    <K extends keyof Settings>(key: K) =>
    (value: Settings[K]) =>
      setDraft({ ...draft, [key]: value })
  return (
    <div class={styles.body}>
      <div>
        <div class={styles.label}>Service address</div>
        <Textbox
          value={draft.workerUrl}
          onValueInput={set('workerUrl')}
          placeholder="https://promptframe.example.workers.dev"
          data-testid="worker-url"
        />
        {problem && (tried || draft.workerUrl !== props.settings.workerUrl) && (
          <div class={styles.warning} role="alert" data-testid="address-problem">
            {problem}
          </div>
        )}
      </div>
      <div>
        <div class={styles.label}>Your token</div>
        <Textbox
          value={draft.token}
          onValueInput={set('token')}
          password
          placeholder="pf_…"
          data-testid="token"
        />
        <div class={styles.muted}>Your team admin gives you this. It stays on this computer.</div>
      </div>
      <Toggle value={draft.markAiGenerated} onValueChange={set('markAiGenerated')}>
        <Text>Add “AI-generated” to the names of generated layers</Text>
      </Toggle>
      {props.balance !== null && <div class={styles.muted}>Balance: {props.balance} credits</div>}
      <Button
        fullWidth
        onClick={() => {
          setTried(true)
          if (problem) return
          props.onSave({ ...draft, workerUrl: draft.workerUrl.trim(), token: draft.token.trim() })
        }}
      >
        Save
      </Button>
    </div>
  )
}
