import { Button, Tabs } from '@create-figma-plugin/ui'
import { emit } from '@create-figma-plugin/utilities'
import { h } from 'preact'
import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks'
import type { CatalogModel } from '../../shared'
import type { PlaceFromHistoryHandler, SaveSettingsHandler } from '../events'
import type { HistoryEntry, SelectionItem, Settings, StartupData } from '../types'
import { costOf, generateLabel, shortfallMessage } from '../utilities/cost'
import {
  chosenModel,
  effectivePrompt,
  type FormState,
  initialForm,
  promptTooLong,
} from '../utilities/form-state'
import { planGeneration, planProblem } from '../utilities/plan-generation'
import { ApiFailure } from './api/api-failure'
import { enhancePrompt, fetchAccount, fetchCatalog } from './api/worker-api'
import styles from './app.css'
import { BriefReview } from './components/brief-review'
import { CreatePanel } from './components/create-panel'
import { HistoryPanel } from './components/history-panel'
import { Notice, type NoticeMessage } from './components/notice'
import { ProgressPanel } from './components/progress-panel'
import { SettingsPanel } from './components/settings-panel'
import { describeFailure } from './describe-failure'
import { executeGeneration, type GenerationProgress } from './execute-generation'
import { requestReferences } from './request-references'
import { resolveSources } from './resolve-sources'

type Tab = 'Create' | 'History' | 'Settings'

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
  const [tab, setTab] = useState<Tab>(startup.settings.token ? 'Create' : 'Settings')
  const [settings, setSettings] = useState<Settings>(startup.settings)
  const [catalog, setCatalog] = useState<CatalogModel[]>([])
  const [catalogFailed, setCatalogFailed] = useState(false)
  const [balance, setBalance] = useState<number | null>(null)
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

  const update = useCallback(
    (patch: Partial<FormState>) => setForm((current) => ({ ...current, ...patch })),
    [],
  )
  // A new selection brings back any layer the designer had taken out of the list.
  useEffect(() => update({ removed: [] }), [selection, update])

  const refresh = useCallback(async (current: Settings) => {
    try {
      setCatalog(await fetchCatalog(current))
      setCatalogFailed(false)
      if (current.token) setBalance((await fetchAccount(current)).balance)
    } catch (error) {
      setCatalogFailed(
        (failed) => failed || !(error instanceof ApiFailure && error.type === 'unauthorized'),
      )
      setNotice({ kind: 'error', text: describeFailure(error) })
    }
  }, [])
  useEffect(() => {
    refresh(settings)
  }, [settings, refresh])

  const model = chosenModel(form, catalog)
  const references = useMemo(
    () => selection.filter((item) => !form.removed.includes(item.id)),
    [selection, form.removed],
  )
  const formForPlan = model && {
    mode: form.mode,
    placement: form.placement,
    prompt: effectivePrompt(form),
    model,
    size: form.ratio,
    quality: form.quality,
    n: form.n,
    background: form.transparent ? ('transparent' as const) : ('auto' as const),
    keepFixed: form.keepFixed,
    markAiGenerated: settings.markAiGenerated,
  }
  const images =
    form.placement === 'fill' ? references.filter((item) => item.fillable).length : form.n
  const cost = model ? costOf(model, form.quality, images) : 0
  const problem = !formForPlan
    ? catalogFailed
      ? 'Connect to the service first (Settings)'
      : 'Loading models…'
    : promptTooLong(form)
      ? 'The prompt is too long: shorten it to 20,000 characters.'
      : planProblem(formForPlan, references)
  const shortfall = balance !== null && cost > balance ? shortfallMessage(cost, balance) : null

  async function generate() {
    if (!formForPlan || problem || shortfall) return
    let sources: SelectionItem[]
    try {
      sources = await resolveSources(null, form.removed)
    } catch (error) {
      return setNotice({ kind: 'error', text: describeFailure(error) })
    }
    const stale = planProblem(formForPlan, sources)
    if (stale) return setNotice({ kind: 'error', text: stale })
    const plan = planGeneration(`job-${Date.now()}-${++jobCounter.current}`, formForPlan, sources)
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
      const placed = await executeGeneration({
        settings,
        plan,
        designerPrompt: formForPlan.prompt,
        signal: controller.signal,
        exportReferences: requestReferences,
        onProgress: (progress) => {
          if (progress.balance !== undefined && progress.balance !== null)
            setBalance(progress.balance)
          setJob((current) => current && { ...current, ...progress })
        },
      })
      setNotice({
        kind: 'info',
        text:
          placed === 1 ? 'Placed 1 image on the canvas.' : `Placed ${placed} images on the canvas.`,
      })
    } catch (error) {
      setNotice({
        kind: controller.signal.aborted ? 'info' : 'error',
        text: describeFailure(error),
      })
    } finally {
      setJob(null)
      refresh(settings)
    }
  }

  async function enhance() {
    setEnhancing(true)
    try {
      setBrief((await enhancePrompt(settings, form.prompt)).prompt)
    } catch (error) {
      setNotice({ kind: 'error', text: describeFailure(error) })
    } finally {
      setEnhancing(false)
    }
  }

  function saveSettings(next: Settings) {
    setSettings(next)
    emit<SaveSettingsHandler>('SAVE_SETTINGS', next)
    setNotice(next.token ? { kind: 'info', text: 'Settings saved.' } : null)
    if (next.token) setTab('Create')
  }

  function reuse(entry: HistoryEntry) {
    update({
      prompt: entry.provenance.prompt,
      modelId: entry.provenance.model,
      quality: entry.provenance.quality,
      structured: false,
    })
    setTab('Create')
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
    ) : tab === 'Create' ? (
      <CreatePanel
        form={form}
        update={update}
        catalog={catalog}
        model={model}
        selection={selection}
        references={references}
        busy={job !== null}
        enhancing={enhancing}
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
          { value: 'Create', children: null },
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
        ) : tab === 'Create' && brief === null ? (
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
              {model ? generateLabel(images, cost) : 'Generate'}
            </Button>
          </div>
        ) : null}
      </div>
    </div>
  )
}
