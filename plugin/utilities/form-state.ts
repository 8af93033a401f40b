import { type AspectRatio, type CatalogModel, MAX_PROMPT_LENGTH, type Quality } from '../../shared'
import { defaultAction } from '../actions/action-list'
import type { ActionForm } from '../actions/action-plan'
import type { ActionId, SelectionItem } from '../types'
import {
  EMPTY_STRUCTURED,
  type KeepFixed,
  type StructuredPrompt,
  structuredToPrompt,
} from './build-prompt'
import type { ExpandAnchor } from './expand-canvas'

export interface FormState {
  /** The chosen action; null follows the selection (Restyle with something selected, else Create). */
  action: ActionId | null
  placement: 'frames' | 'fill'
  combine: boolean
  prompt: string
  structured: boolean
  fields: StructuredPrompt
  modelId: string | null
  ratio: AspectRatio
  quality: Quality
  n: number
  transparent: boolean
  keepFixed: KeepFixed[]
  expandBy: 'ratio' | 'margin'
  expandRatio: AspectRatio
  /** Added on each side, as a share of the original's width and height. */
  expandMargin: number
  expandAnchor: ExpandAnchor
  /** Selected layers the designer took out of the list. */
  removed: string[]
}

export const DEFAULT_FORM: FormState = {
  action: null,
  placement: 'frames',
  combine: false,
  prompt: '',
  structured: false,
  fields: EMPTY_STRUCTURED,
  modelId: null,
  ratio: '1:1',
  quality: 'medium',
  n: 1,
  transparent: false,
  keepFixed: [],
  expandBy: 'ratio',
  expandRatio: '16:9',
  expandMargin: 0.25,
  expandAnchor: 'center',
  removed: [],
}

export const VARIATION_COUNTS = [1, 2, 3, 4]
/** What Expand can add on each side, as a share of the original. */
export const EXPAND_MARGINS = [0.1, 0.25, 0.5]

/** Variations a Vary starts with: enough to compare, not so many that it costs a lot unasked. */
export const VARY_COUNT = 2

export function effectivePrompt(form: FormState): string {
  return form.structured ? structuredToPrompt(form.fields) : form.prompt
}

export function promptTooLong(form: FormState): boolean {
  return effectivePrompt(form).length > MAX_PROMPT_LENGTH
}

export function chosenModel(form: FormState, catalog: CatalogModel[]): CatalogModel | null {
  return (
    catalog.find((model) => model.id === form.modelId) ??
    catalog.find((model) => model.default) ??
    catalog[0] ??
    null
  )
}

export function chosenAction(form: FormState, selection: SelectionItem[]): ActionId {
  return form.action ?? defaultAction(selection)
}

/** The form as the actions read it. */
export function actionForm(
  form: FormState,
  model: CatalogModel,
  selection: SelectionItem[],
  markAiGenerated: boolean,
): ActionForm {
  return {
    action: chosenAction(form, selection),
    prompt: effectivePrompt(form),
    model,
    ratio: form.ratio,
    quality: form.quality,
    n: form.n,
    transparent: form.transparent,
    keepFixed: form.keepFixed,
    placement: form.placement,
    combine: form.combine,
    expand: {
      target:
        form.expandBy === 'ratio' ? { ratio: form.expandRatio } : { margin: form.expandMargin },
      anchor: form.expandAnchor,
    },
    markAiGenerated,
  }
}

/**
 * Switching to structured fields starts from the prompt already written (as the subject), and
 * switching back keeps what the fields say, so neither way loses the designer's words.
 */
export function switchStructured(form: FormState, structured: boolean): Partial<FormState> {
  if (structured) {
    const empty = Object.values(form.fields).every((value) => !value.trim())
    return {
      structured,
      fields: empty ? { ...EMPTY_STRUCTURED, subject: form.prompt.trim() } : form.fields,
    }
  }
  return { structured, prompt: effectivePrompt(form) }
}
