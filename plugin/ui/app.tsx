import { Button, Tabs } from '@create-figma-plugin/ui'
import { emit } from '@create-figma-plugin/utilities'
import { h } from 'preact'
import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks'
import { closestAspectRatio } from '../../shared'
import { actionById, actionProblem, planAction } from '../actions/action-list'
import type { PlaceFromHistoryHandler, SaveSettingsHandler } from '../events'
import type { HistoryEntry, SelectionItem, Settings, StartupData } from '../types'
import { generateLabel, shortfallMessage } from '../utilities/cost'
import {
  actionForm,
  chosenAction,
  chosenModel,
  type FormState,
  initialForm,
  promptTooLong,
} from '../utilities/form-state'
import { enhancePrompt } from './api/worker-api'
import styles from './app.css'
import { ActionPanel } from './components/action-panel'
import { BriefReview } from './components/brief-review'
import { HistoryPanel } from './components/history-panel'
import { Notice, type NoticeMessage } from './components/notice'
import { ProgressPanel } from './components/progress-panel'
import { SettingsPanel } from './components/settings-panel'
import { describeFailure } from './describe-failure'
import {
  executeGeneration,
  type GenerationProgress,
  GenerationStopped,
  type LateWork,
} from './execute-generation'
import { resolveSources } from './resolve-sources'
import { useCatalog } from './use-catalog'
import { useSources } from './use-sources'

/** "Create" names the text-to-image action, so the main tab is "Make". */
type Tab = 'Make' | 'History' | 'Settings'

interface RunningJob extends GenerationProgress {
  total: number
  startedAt: number
  controller: AbortController
}

export function App({
  startup,
  selection,
  history,
}: {
  startup: StartupData
  selection: SelectionItem[]
  history: HistoryEntry[]
}) {
  const [tab, setTab] = useState<Tab>(startup.settings.token ? 'Make' : 'Settings')
  const [settings, setSettings] = useState<Settings>(startup.settings)
  const [form, setForm] = useState<FormState>(() => initialForm(startup))
  const [notice, setNotice] = useState<NoticeMessage | null>(
    startup.settings.token
      ? null
      : {
          kind: 'info',
          text: 'Add your Promptframe token to start. Your team admin can give you one.',
        },
  )
  const [job, setJob] = useState<RunningJob | null>(null)
  const [brief, setBrief] = useState<string | null>(null)
  const [enhancing, setEnhancing] = useState(false)
  const jobCounter = useRef(0)
  const showFailure = useCallback(
    (error: unknown) => setNotice({ kind: 'error', text: describeFailure(error) }),
    [],
  )
  const { catalog, catalogFailed, balance, setBalance, refresh } = useCatalog(settings, showFailure)
  const { sources: shown, pinned, pin, unpin } = useSources(selection)

  const update = useCallback(
    (patch: Partial<FormState>) => setForm((current) => ({ ...current, ...patch })),
    [],
  )
  // A new selection brings back any layer the designer had taken out of the list.
  useEffect(() => update({ removed: [] }), [selection, update])

  const model = chosenModel(form, catalog)
  const candidates = useMemo(
    () => shown.filter((item) => !form.removed.includes(item.id)),
    [shown, form.removed],
  )
  const action = chosenAction(form, candidates)
  const planned = model && actionForm(form, model, candidates, settings.markAiGenerated)
  const problem = !planned
    ? catalogFailed
      ? 'Connect to the service first (Settings)'
      : 'Loading models…'
    : promptTooLong(form)
      ? 'The prompt is too long: shorten it to 20,000 characters.'
      : actionProblem(planned, candidates)
  const preview = planned && !problem ? planAction('preview', planned, candidates) : null
  const cost = preview?.cost ?? 0
  const shortfall = balance !== null && cost > balance ? shortfallMessage(cost, balance) : null
  const sources = planned ? actionById(action).sources(candidates, planned) : []
  const first = sources[0]
  const suggestedRatio = first ? closestAspectRatio(first.width, first.height) : null

  async function generate() {
    if (!planned || !model || problem || shortfall) return
    let fresh: SelectionItem[]
    try {
      fresh = await resolveSources(pinned ? shown.map((item) => item.id) : null, form.removed)
    } catch (error) {
      return showFailure(error)
    }
    const current = actionForm(form, model, fresh, settings.markAiGenerated)
    const stale = actionProblem(current, fresh)
    if (stale) return setNotice({ kind: 'error', text: stale })
    const plan = planAction(`job-${Date.now()}-${++jobCounter.current}`, current, fresh)
    const used = actionById(current.action).sources(fresh, current)
    const controller = new AbortController()
    setNotice(null)
    setJob({
      stage: 'Starting',
      delivered: 0,
      balance,
      total: plan.images,
      startedAt: Date.now(),
      controller,
    })
    try {
      const outcome = await executeGeneration({
        settings,
        plan,
        model,
        designerPrompt: current.prompt,
        signal: controller.signal,
        onProgress: (progress) => {
          if (progress.balance !== undefined && progress.balance !== null)
            setBalance(progress.balance)
          setJob((running) => running && { ...running, ...progress })
        },
      })
      // The strip keeps the layers just used while their results are selected.
      if (outcome.selected) {
        const thumbnails = new Map(shown.map((item) => [item.id, item.thumbnail]))
        pin(
          used.map((item) => ({ ...item, thumbnail: thumbnails.get(item.id) ?? null })),
          outcome.placedIds,
        )
      }
      setNotice({
        kind: 'info',
        text:
          outcome.placed === 1
            ? 'Placed 1 image on the canvas.'
            : `Placed ${outcome.placed} images on the canvas.`,
      })
    } catch (error) {
      setNotice({
        kind: controller.signal.aborted ? 'info' : 'error',
        text: describeFailure(error),
      })
      if (error instanceof GenerationStopped && error.late) followLateWork(error.late)
    } finally {
      setJob(null)
      refresh(settings)
    }
  }

  /** Images that were already being made arrive in History; the balance is read again then. */
  function followLateWork(late: LateWork) {
    late.arrived.then((count) => {
      refresh(settings)
      if (count > 0)
        setNotice({
          kind: 'info',
          text:
            count === 1
              ? '1 image that was already being made is now in History.'
              : `${count} images that were already being made are now in History.`,
        })
    })
  }

  async function enhance() {
    setEnhancing(true)
    try {
      setBrief((await enhancePrompt(settings, form.prompt)).prompt)
    } catch (error) {
      showFailure(error)
    } finally {
      setEnhancing(false)
    }
  }

  function saveSettings(next: Settings) {
    setSettings(next)
    emit<SaveSettingsHandler>('SAVE_SETTINGS', next)
    setNotice(next.token ? { kind: 'info', text: 'Settings saved.' } : null)
    if (next.token) setTab('Make')
  }

  function reuse(entry: HistoryEntry) {
    update({
      prompt: entry.provenance.prompt,
      modelId: entry.provenance.model,
      quality: entry.provenance.quality,
      structured: false,
    })
    setTab('Make')
  }

  const body =
    brief !== null ? (
      <BriefReview
        brief={brief}
        onAccept={(prompt) => {
          update({ prompt })
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
        suggestedRatio={suggestedRatio}
        busy={job !== null}
        enhancing={enhancing}
        canEnhance={balance === null || balance > 0}
        onEnhance={enhance}
      />
    ) : tab === 'History' ? (
      <HistoryPanel
        history={history}
        onPlace={(id) => emit<PlaceFromHistoryHandler>('PLACE_FROM_HISTORY', id)}
        onReuse={reuse}
      />
    ) : (
      <SettingsPanel settings={settings} balance={balance} onSave={saveSettings} />
    )

  return (
    <div class={styles.page}>
      <Tabs
        value={tab}
        onValueChange={(value) => setTab(value as Tab)}
        options={[
          { value: 'Make', children: null },
          { value: 'History', children: null },
          { value: 'Settings', children: null },
        ]}
      />
      {body}
      <div class={styles.footer}>
        <Notice notice={notice} />
        {job ? (
          <ProgressPanel
            stage={job.stage}
            delivered={job.delivered}
            total={job.total}
            startedAt={job.startedAt}
            onCancel={() => job.controller.abort()}
          />
        ) : tab === 'Make' && brief === null ? (
          <div>
            <div class={styles.spread}>
              <span class={styles.muted} data-testid="balance">
                {balance === null ? '' : `Balance: ${balance} credits`}
              </span>
              {(problem || shortfall) && (
                <span class={styles.warning} data-testid="problem">
                  {problem ?? 'Not enough credits'}
                </span>
              )}
            </div>
            {shortfall && (
              <div class={styles.warning} style={{ margin: '4px 0' }}>
                {shortfall}
              </div>
            )}
            <Button
              fullWidth
              disabled={Boolean(problem || shortfall)}
              onClick={generate}
              data-testid="generate"
            >
              {preview ? generateLabel(preview.images, preview.cost) : 'Generate'}
            </Button>
          </div>
        ) : null}
      </div>
    </div>
  )
}
