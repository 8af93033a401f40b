import type { ActionId, SelectionItem } from '../types'
import type { Action, ActionForm, GenerationPlan } from './action-plan'
import { createAction } from './create-action'
import { editAreaAction } from './edit-area-action'
import { expandAction } from './expand-action'
import { removeBackgroundAction } from './remove-background-action'
import { restyleAction } from './restyle-action'
import { varyAction } from './vary-action'

/** Every action, in the order the form offers them. */
export const ACTIONS: readonly Action[] = [
  createAction,
  restyleAction,
  editAreaAction,
  expandAction,
  removeBackgroundAction,
  varyAction,
]

export function actionById(id: ActionId): Action {
  return ACTIONS.find((action) => action.id === id)!
}

/** Restyle is the default whenever something is selected; Create otherwise. */
export function defaultAction(selection: SelectionItem[]): ActionId {
  return selection.length > 0 ? 'restyle' : 'create'
}

const PROMPT_MISSING: Record<ActionId, string> = {
  create: 'Describe the image you want first.',
  restyle: 'Describe what should change first.',
  'edit-area': 'Describe what should be in the area.',
  expand: 'Describe what the new area should show.',
  'remove-background': 'Describe what to keep.',
  vary: 'Describe what should vary.',
}

/** Why this form cannot run now, in words for the designer, or null. */
export function actionProblem(form: ActionForm, selection: SelectionItem[]): string | null {
  const action = actionById(form.action)
  if (action.needsPrompt && !form.prompt.trim()) return PROMPT_MISSING[form.action]
  if (form.transparent && !form.model.transparency)
    return "This server's image service cannot make transparency: turn off the transparent background."
  return action.problem(form, selection)
}

export function planAction(
  jobId: string,
  form: ActionForm,
  selection: SelectionItem[],
): GenerationPlan {
  return actionById(form.action).plan(jobId, form, selection)
}
