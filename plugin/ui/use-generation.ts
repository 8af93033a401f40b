import { useRef, useState } from 'preact/hooks'
import type { CatalogModel } from '../../shared'
import { actionById, actionProblem, planAction } from '../actions/action-list'
import type { SelectionItem, Settings } from '../types'
import { actionForm, type FormState } from '../utilities/form-state'
import type { NoticeMessage } from './components/notice'
import { describeFailure } from './describe-failure'
import {
  executeGeneration,
  type GenerationProgress,
  GenerationStopped,
  type LateWork,
} from './execute-generation'
import { placedMessage } from './placed-message'
import { resolveSources } from './resolve-sources'

export interface RunningJob extends GenerationProgress {
  total: number
  startedAt: number
  controller: AbortController
}

export interface GenerationHooks {
  settings: Settings
  onNotice: (notice: NoticeMessage | null) => void
  onBalance: (balance: number) => void
  /** The results are on the canvas and selected: the layers used stay listed while they are. */
  onPlaced: (used: SelectionItem[], placedIds: string[]) => void
  /** Credits may have moved: read the balance again. */
  onSettled: () => void
}

const lateMessage = (count: number) =>
  count === 1
    ? '1 image that was already being made is now in History.'
    : `${count} images that were already being made are now in History.`

/** One generation at a time: its progress, its cancel, and what the designer is told at its end. */
export function useGeneration(hooks: GenerationHooks) {
  const [job, setJob] = useState<RunningJob | null>(null)
  const counter = useRef(0)
  // Set at once, where `job` is set only after the main thread has answered: a second Generate
  // in that moment (a double press) must not start a second, paid, generation.
  const starting = useRef(false)

  /** Images that were already being made arrive in History; the balance is read again then. */
  function followLateWork(late: LateWork) {
    late.arrived.then((count) => {
      hooks.onSettled()
      if (count > 0) hooks.onNotice({ kind: 'info', text: lateMessage(count) })
    })
  }

  async function run(form: FormState, model: CatalogModel, layers: string[] | null) {
    if (starting.current) return
    starting.current = true
    try {
      await runOnce(form, model, layers)
    } finally {
      starting.current = false
    }
  }

  async function runOnce(form: FormState, model: CatalogModel, layers: string[] | null) {
    const { settings } = hooks
    let fresh: SelectionItem[]
    try {
      fresh = await resolveSources(layers, form.removed)
    } catch (error) {
      return hooks.onNotice({ kind: 'error', text: describeFailure(error) })
    }
    const current = actionForm(form, model, fresh, settings.markAiGenerated)
    const stale = actionProblem(current, fresh)
    if (stale) return hooks.onNotice({ kind: 'error', text: stale })
    const plan = planAction(`job-${Date.now()}-${++counter.current}`, current, fresh)
    const used = actionById(current.action).sources(fresh, current)
    const controller = new AbortController()
    hooks.onNotice(null)
    setJob({
      stage: 'Starting',
      delivered: 0,
      balance: null,
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
          if (typeof progress.balance === 'number') hooks.onBalance(progress.balance)
          setJob((running) => running && { ...running, ...progress })
        },
      })
      if (outcome.selected) hooks.onPlaced(used, outcome.placedIds)
      hooks.onNotice({ kind: 'info', text: placedMessage(outcome) })
    } catch (error) {
      hooks.onNotice({
        kind: controller.signal.aborted ? 'info' : 'error',
        text: describeFailure(error),
      })
      if (error instanceof GenerationStopped && error.late) followLateWork(error.late)
    } finally {
      setJob(null)
      hooks.onSettled()
    }
  }

  /** Stops the running generation; returns whether there was one. */
  function cancel(): boolean {
    if (!job) return false
    job.controller.abort()
    return true
  }

  return { job, run, cancel }
}
