import {
  type AspectRatio,
  type CatalogModel,
  closestAspectRatio,
  isAspectRatio,
  MAX_PROMPT_LENGTH,
  parsePixelSize,
  type Quality,
} from '../../shared'
import type { PlacementMode, StartupData } from '../types'
import {
  EMPTY_STRUCTURED,
  type KeepFixed,
  type StructuredPrompt,
  structuredToPrompt,
} from './build-prompt'
import type { GenerationMode } from './plan-generation'

export interface FormState {
  mode: GenerationMode
  placement: PlacementMode
  prompt: string
  structured: boolean
  fields: StructuredPrompt
  modelId: string | null
  ratio: AspectRatio
  quality: Quality
  n: number
  transparent: boolean
  keepFixed: KeepFixed[]
  /** Selected layers the designer took out of the reference list. */
  removed: string[]
}

export const DEFAULT_FORM: FormState = {
  mode: 'create',
  placement: 'frames',
  prompt: '',
  structured: false,
  fields: EMPTY_STRUCTURED,
  modelId: null,
  ratio: '1:1',
  quality: 'medium',
  n: 1,
  transparent: false,
  keepFixed: [],
  removed: [],
}

function ratioOfSize(size: string): AspectRatio {
  if (isAspectRatio(size)) return size
  const explicit = parsePixelSize(size)
  return explicit ? closestAspectRatio(explicit.width, explicit.height) : '1:1'
}

/** The form on open: prefilled from the layer when the plugin was reopened with Vary or Restyle. */
export function initialForm(startup: Pick<StartupData, 'relaunch'>): FormState {
  const relaunch = startup.relaunch
  if (!relaunch) return DEFAULT_FORM
  const { provenance } = relaunch
  return {
    ...DEFAULT_FORM,
    mode: relaunch.command === 'restyle' ? 'restyle' : 'create',
    prompt: provenance.prompt,
    modelId: provenance.model,
    ratio: ratioOfSize(provenance.size),
    quality: provenance.quality,
    n: relaunch.command === 'vary' ? 4 : 1,
  }
}

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
