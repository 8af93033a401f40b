import { Button, Text, Textbox, Toggle } from '@create-figma-plugin/ui'
import { h } from 'preact'
import { useState } from 'preact/hooks'
import { userIdOfToken } from '../../../shared'
import type { Settings } from '../../types'
import { addressProblem } from '../api/address-check'
import styles from '../app.css'

function tokenProblem(token: string): string | null {
  if (!token) return 'Paste the token your team admin gave you.'
  if (!userIdOfToken(token))
    return 'That is not a Promptframe token: it starts with pf_u_. Copy it again from your team admin’s message.'
  return null
}

function tidy(settings: Settings): Settings {
  return { ...settings, workerUrl: settings.workerUrl.trim(), token: settings.token.trim() }
}

export function SettingsPanel(props: {
  settings: Settings
  onSave: (settings: Settings) => void
  onTest: (settings: Settings) => Promise<void>
}) {
  const [draft, setDraft] = useState(props.settings)
  const [tried, setTried] = useState(false)
  const [testing, setTesting] = useState(false)
  const tidied = tidy(draft)
  const address = addressProblem(tidied.workerUrl)
  const token = tokenProblem(tidied.token)
  const set =
    <K extends keyof Settings>(key: K) =>
    (value: Settings[K]) =>
      setDraft({ ...draft, [key]: value })
  /** Problems show once the designer has tried to use the settings, or changed the field. */
  const shown = (problem: string | null, changed: boolean) =>
    problem && (tried || changed) ? problem : null
  const addressShown = shown(address, tidied.workerUrl !== props.settings.workerUrl)
  const tokenShown = shown(token, tried)
  const ready = !address && !token
  return (
    <div class={styles.body} data-scroll>
      <div>
        <label class={styles.label} for="worker-url">
          Service address
        </label>
        <Textbox
          id="worker-url"
          value={draft.workerUrl}
          onValueInput={set('workerUrl')}
          placeholder="https://promptframe.example.workers.dev"
          data-testid="worker-url"
        />
        {addressShown && (
          <div class={styles.warning} role="alert" data-testid="address-problem">
            {addressShown}
          </div>
        )}
      </div>
      <div>
        <label class={styles.label} for="token">
          Your token
        </label>
        <Textbox
          id="token"
          value={draft.token}
          onValueInput={set('token')}
          password
          placeholder="pf_u_…"
          data-testid="token"
        />
        {tokenShown ? (
          <div class={styles.warning} role="alert" data-testid="token-problem">
            {tokenShown}
          </div>
        ) : (
          <div class={styles.muted}>Your team admin gives you this. It stays on this computer.</div>
        )}
      </div>
      <Toggle value={draft.markAiGenerated} onValueChange={set('markAiGenerated')}>
        <Text>Add “AI-generated” to the names of generated layers</Text>
      </Toggle>
      <div class={styles.columns}>
        <Button
          fullWidth
          onClick={() => {
            setTried(true)
            if (ready) props.onSave(tidied)
          }}
        >
          Save
        </Button>
        <Button
          secondary
          loading={testing}
          data-testid="test-connection"
          onClick={async () => {
            setTried(true)
            if (!ready) return
            setTesting(true)
            await props.onTest(tidied)
            setTesting(false)
          }}
        >
          Test connection
        </Button>
      </div>
    </div>
  )
}
