import type { CatalogModel } from '../../shared'
import { actionProblem, planAction } from '../actions/action-list'
import type { GenerationPlan } from '../actions/action-plan'
import type { SelectionItem } from '../types'
import { generateLabel, shortfallMessage } from './cost'
import { actionForm, type FormState, promptTooLong } from './form-state'

export interface Readiness {
  /** What Generate would make now, when it can run. */
  preview: GenerationPlan | null
  /** Why Generate cannot run, in words for the designer, or null when it can. */
  reason: string | null
  /** The button's text: what it makes and what that costs. */
  label: string
}

export interface ReadinessInput {
  form: FormState
  model: CatalogModel | null
  candidates: SelectionItem[]
  hasToken: boolean
  /** Whether the service has answered for the current address and token, and if not, why. */
  connection: { state: 'checking' } | { state: 'ready' } | { state: 'failed'; message: string }
  balance: number | null
  markAiGenerated: boolean
}

function blockedBeforePlanning(input: ReadinessInput): string | null {
  if (!input.hasToken) return 'Add your token in Settings to start.'
  if (input.connection.state === 'failed') return input.connection.message
  if (input.connection.state === 'checking' || !input.model) return 'Connecting…'
  if (promptTooLong(input.form)) return 'The prompt is too long: shorten it to 20,000 characters.'
  return null
}

/** Whether Generate can run, and if not, the one reason to show beside it. */
export function generateReadiness(input: ReadinessInput): Readiness {
  const early = blockedBeforePlanning(input)
  if (early || !input.model) return { preview: null, reason: early, label: 'Generate' }
  const form = actionForm(input.form, input.model, input.candidates, input.markAiGenerated)
  const problem = actionProblem(form, input.candidates)
  if (problem) return { preview: null, reason: problem, label: 'Generate' }
  const preview = planAction('preview', form, input.candidates)
  const label = generateLabel(preview.images, preview.cost)
  // Nothing to make costs nothing: a button that says "Generate 0" would do nothing either.
  if (preview.images === 0 || preview.cost === 0)
    return { preview: null, reason: 'Select the layers to work on.', label: 'Generate' }
  if (input.balance !== null && preview.cost > input.balance)
    return { preview, reason: shortfallMessage(preview.cost, input.balance), label }
  return { preview, reason: null, label }
}
