import { Button, Tabs } from '@create-figma-plugin/ui'
import { emit } from '@create-figma-plugin/utilities'
import { h } from 'preact'
import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks'
import { closestAspectRatio } from '../../shared'
import { actionById } from '../actions/action-list'
import type { SaveSettingsHandler } from '../events'
import type { HistoryEntry, SelectionItem, Settings, StartupData } from '../types'
import { actionForm, chosenAction, chosenModel, type FormState } from '../utilities/form-state'
import { generateReadiness } from '../utilities/generate-readiness'
import { initialForm, reusedForm } from '../utilities/remembered-form'
import { enhancePrompt } from './api/worker-api'
import styles from './app.css'
import { checkConnection } from './check-connection'
import { ActionPanel } from './components/action-panel'
import { BriefReview } from './components/brief-review'
import { HistoryPanel } from './components/history-panel'
import { Notice, type NoticeMessage } from './components/notice'
import { ProgressPanel } from './components/progress-panel'
import { PROMPT_ID, PromptComposer } from './components/prompt-composer'
import { radioGroupName } from './components/radio-group-name'
import { SettingsPanel } from './components/settings-panel'
import { copyText } from './copy-text'
import { describeFailure } from './describe-failure'
import { placeFromHistory } from './place-from-history'
import { useConnection } from './use-connection'
import { useFitWindow } from './use-fit-window'
import { useGeneration } from './use-generation'
import { useRecovery } from './use-recovery'
import { useRemembered } from './use-remembered'
import { useShortcuts } from './use-shortcuts'
import { useSources } from './use-sources'

/** "Create" names the text-to-image action, so the main tab is "Make". */
type Tab = 'Make' | 'History' | 'Settings'

const WELCOME: NoticeMessage = {
  kind: 'info',
  text: 'Add your Promptframe token to start. Your team admin can give you one.',
}

export function App(props: {
  startup: StartupData
  selection: SelectionItem[]
  history: HistoryEntry[]
}) {
  const { startup, selection } = props
  const [tab, setTab] = useState<Tab>(startup.settings.token ? 'Make' : 'Settings')
  const [settings, setSettings] = useState<Settings>(startup.settings)
  const [form, setForm] = useState<FormState>(() => initialForm(startup))
  const [notice, setNotice] = useState<NoticeMessage | null>(
    startup.settings.token ? null : WELCOME,
  )
  /** Whether the designer asked for a generation that cannot run: its reason then reads as an error. */
  const [attempted, setAttempted] = useState(false)
  const [brief, setBrief] = useState<string | null>(null)
  const [enhancing, setEnhancing] = useState(false)
  const { catalog, balance, setBalance, connection, refresh } = useConnection(settings)
  const { sources: shown, pinned, pin, unpin } = useSources(selection)
  const page = useFitWindow()
  useRemembered(form)

  /** A change by the designer: whatever the status said was about what came before. */
  const update = useCallback((patch: Partial<FormState>) => {
    setForm((current) => ({ ...current, ...patch }))
    setNotice(null)
    setAttempted(false)
  }, [])
  // A new selection brings back any layer the designer had taken out of the list.
  useEffect(() => setForm((current) => ({ ...current, removed: [] })), [selection])
  useEffect(() => {
    if (tab === 'Make') document.getElementById(PROMPT_ID)?.focus()
  }, [tab])

  const model = chosenModel(form, catalog)
  const candidates = useMemo(
    () => shown.filter((item) => !form.removed.includes(item.id)),
    [shown, form.removed],
  )
  const action = chosenAction(form, candidates)
  const readiness = generateReadiness({
    form,
    model,
    candidates,
    hasToken: Boolean(settings.token),
    connection,
    balance,
    markAiGenerated: settings.markAiGenerated,
  })
  const sources = model
    ? actionById(action).sources(candidates, actionForm(form, model, candidates, false))
    : []
  const first = sources[0]

  const selectedAtRun = useRef<string[]>([])
  const generation = useGeneration({
    settings,
    onNotice: setNotice,
    onBalance: setBalance,
    onSettled: refresh,
    onPlaced: (used, placedIds) => {
      // The strip keeps the layers just used while their results are selected.
      const thumbnails = new Map(shown.map((item) => [item.id, item.thumbnail]))
      pin(
        used.map((item) => ({ ...item, thumbnail: thumbnails.get(item.id) ?? null })),
        placedIds,
        selectedAtRun.current,
      )
    },
  })
  useRecovery(startup.settings, startup.unfinished, { onNotice: setNotice, onSettled: refresh })
  const busy = generation.job !== null

  function requestGenerate() {
    if (busy || tab !== 'Make' || brief !== null) return
    if (readiness.reason || !model) {
      setNotice(null)
      setAttempted(true)
      return
    }
    selectedAtRun.current = selection.map((item) => item.id)
    generation.run(form, model, pinned ? shown.map((item) => item.id) : null)
  }
  useShortcuts({ onGenerate: requestGenerate, onEscape: generation.cancel })

  async function enhance() {
    setEnhancing(true)
    try {
      setBrief((await enhancePrompt(settings, form.prompt)).prompt)
      setNotice(null)
    } catch (error) {
      setNotice({ kind: 'error', text: describeFailure(error) })
    } finally {
      setEnhancing(false)
    }
  }

  function showTab(next: Tab) {
    setTab(next)
    setNotice(null)
  }

  // After Save, the status says what the service made of the new settings.
  const announceConnection = useRef(false)
  useEffect(() => {
    if (!announceConnection.current || connection.state === 'checking') return
    announceConnection.current = false
    setNotice(
      connection.state === 'ready'
        ? { kind: 'info', text: `Settings saved. Connected as ${connection.name}.` }
        : { kind: 'error', text: connection.message },
    )
  }, [connection])

  function saveSettings(next: Settings) {
    setSettings(next)
    emit<SaveSettingsHandler>('SAVE_SETTINGS', next)
    setTab('Make')
    setNotice({ kind: 'info', text: 'Settings saved. Connecting…' })
    announceConnection.current = true
  }

  const historyActions = {
    onPlace: async (entry: HistoryEntry) => setNotice(await placeFromHistory(entry)),
    onReuse: (entry: HistoryEntry) => {
      update(reusedForm(entry.provenance))
      setTab('Make')
      setNotice({
        kind: 'info',
        text: 'Reused the prompt, model, ratio and quality of that image.',
      })
    },
    onCopy: (entry: HistoryEntry) =>
      setNotice(
        copyText(entry.provenance.prompt)
          ? { kind: 'info', text: 'Copied the prompt.' }
          : {
              kind: 'error',
              text: 'Figma did not allow copying here. Select the prompt in Make and copy it.',
            },
      ),
  }

  const making = tab === 'Make' && brief === null
  const status: NoticeMessage | null =
    notice ??
    (making && !busy && readiness.reason
      ? { kind: attempted ? 'error' : 'hint', text: readiness.reason }
      : null)

  return (
    <div class={styles.page} ref={page}>
      <div class={styles.tabs}>
        <Tabs
          {...radioGroupName('tab')}
          value={tab}
          onValueChange={(value) => showTab(value as Tab)}
          options={[
            { value: 'Make', children: null },
            { value: 'History', children: null },
            { value: 'Settings', children: null },
          ]}
        />
      </div>
      {tab === 'Make' && brief !== null ? (
        <BriefReview
          brief={brief}
          onAccept={(prompt) => {
            update({ prompt, structured: false })
            setBrief(null)
          }}
          onDiscard={() => setBrief(null)}
        />
      ) : tab === 'Make' ? (
        <ActionPanel
          action={action}
          form={form}
          update={update}
          catalog={catalog}
          model={model}
          sources={sources}
          pinned={pinned}
          onUseSelection={unpin}
          suggestedRatio={first ? closestAspectRatio(first.width, first.height) : null}
          busy={busy}
        />
      ) : tab === 'History' ? (
        <HistoryPanel history={props.history} {...historyActions} />
      ) : (
        <SettingsPanel
          settings={settings}
          onSave={saveSettings}
          onTest={async (draft) => setNotice(await checkConnection(draft))}
        />
      )}
      {/* A running generation keeps its progress and Cancel in view on every tab. */}
      {(making || status || busy) && (
        <div class={styles.composer}>
          {making && (
            <PromptComposer
              action={action}
              form={form}
              update={update}
              busy={busy}
              enhancing={enhancing}
              canEnhance={balance === null || balance > 0}
              onEnhance={enhance}
            />
          )}
          <Notice notice={status} id="status" />
          {generation.job ? (
            <ProgressPanel
              stage={generation.job.stage}
              delivered={generation.job.delivered}
              total={generation.job.total}
              startedAt={generation.job.startedAt}
              onCancel={generation.cancel}
            />
          ) : (
            making && (
              <div>
                <Button
                  fullWidth
                  disabled={readiness.reason !== null}
                  onClick={requestGenerate}
                  aria-describedby={status ? 'status' : undefined}
                  aria-keyshortcuts="Control+Enter Meta+Enter"
                  data-testid="generate"
                >
                  {readiness.label}
                </Button>
                <div class={styles.spread} style={{ marginTop: 6 }}>
                  <span class={styles.muted} data-testid="balance">
                    {balance === null ? '' : `Balance: ${balance} credits`}
                  </span>
                  <span class={styles.muted}>⌘/Ctrl+Enter</span>
                </div>
              </div>
            )
          )}
        </div>
      )}
    </div>
  )
}
