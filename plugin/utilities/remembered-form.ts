import {
  type AspectRatio,
  closestAspectRatio,
  isAspectRatio,
  parsePixelSize,
  QUALITIES,
  type Quality,
} from '../../shared'
import { ACTIONS } from '../actions/action-list'
import type { ActionId, Provenance, StartupData } from '../types'
import { KEEP_FIXED_OPTIONS, type KeepFixed } from './build-prompt'
import { EXPAND_ANCHORS, type ExpandAnchor } from './expand-canvas'
import {
  DEFAULT_FORM,
  EXPAND_MARGINS,
  type FormState,
  VARIATION_COUNTS,
  VARY_COUNT,
} from './form-state'

/** The choices a designer makes once and expects to find again, kept per user on this computer. */
export type Preferences = Omit<FormState, 'prompt' | 'structured' | 'fields' | 'removed'>

/** The choices worth keeping: not the prompt (kept per file) and not the layers. */
export function preferencesOf(form: FormState): Preferences {
  return {
    action: form.action,
    placement: form.placement,
    combine: form.combine,
    modelId: form.modelId,
    ratio: form.ratio,
    quality: form.quality,
    n: form.n,
    transparent: form.transparent,
    keepFixed: form.keepFixed,
    expandBy: form.expandBy,
    expandRatio: form.expandRatio,
    expandMargin: form.expandMargin,
    expandAnchor: form.expandAnchor,
  }
}

const isOneOf = <T>(values: readonly T[], value: unknown): value is T => values.includes(value as T)

/**
 * The saved choices that are still valid, field by field: a record from an older version, or one
 * naming an action or ratio that no longer exists, restores what it can and leaves the rest.
 */
export function restorePreferences(saved: unknown): Partial<FormState> {
  if (typeof saved !== 'object' || saved === null) return {}
  const record = saved as Record<string, unknown>
  const restored: Partial<FormState> = {}
  const actionIds = ACTIONS.map((action) => action.id)
  if (record.action === null || isOneOf<ActionId>(actionIds, record.action))
    restored.action = record.action
  if (isOneOf(['frames', 'fill'] as const, record.placement)) restored.placement = record.placement
  if (typeof record.combine === 'boolean') restored.combine = record.combine
  if (typeof record.modelId === 'string') restored.modelId = record.modelId
  if (typeof record.ratio === 'string' && isAspectRatio(record.ratio)) restored.ratio = record.ratio
  if (isOneOf<Quality>(QUALITIES, record.quality)) restored.quality = record.quality
  if (isOneOf(VARIATION_COUNTS, record.n)) restored.n = record.n
  if (typeof record.transparent === 'boolean') restored.transparent = record.transparent
  if (Array.isArray(record.keepFixed))
    restored.keepFixed = record.keepFixed.filter(
      (key): key is KeepFixed => typeof key === 'string' && key in KEEP_FIXED_OPTIONS,
    )
  if (isOneOf(['ratio', 'margin'] as const, record.expandBy)) restored.expandBy = record.expandBy
  if (typeof record.expandRatio === 'string' && isAspectRatio(record.expandRatio))
    restored.expandRatio = record.expandRatio
  if (isOneOf(EXPAND_MARGINS, record.expandMargin)) restored.expandMargin = record.expandMargin
  if (isOneOf<ExpandAnchor>(EXPAND_ANCHORS, record.expandAnchor))
    restored.expandAnchor = record.expandAnchor
  return restored
}

function ratioOfSize(size: string): AspectRatio {
  if (isAspectRatio(size)) return size
  const explicit = parsePixelSize(size)
  return explicit ? closestAspectRatio(explicit.width, explicit.height) : '1:1'
}

/**
 * The form on open: the designer's last choices and this file's prompt draft; when the plugin was
 * reopened with Vary or Restyle, the layer's own prompt, model, ratio and quality win.
 */
export function initialForm(
  startup: Pick<StartupData, 'relaunch' | 'preferences' | 'draft'>,
): FormState {
  const remembered: FormState = {
    ...DEFAULT_FORM,
    ...restorePreferences(startup.preferences),
    prompt: startup.draft,
  }
  const relaunch = startup.relaunch
  if (!relaunch) return remembered
  const { provenance } = relaunch
  return {
    ...remembered,
    action: relaunch.command,
    prompt: provenance.prompt,
    modelId: provenance.model,
    ratio: ratioOfSize(provenance.size),
    quality: provenance.quality,
    n: relaunch.command === 'vary' ? Math.max(remembered.n, VARY_COUNT) : 1,
  }
}

/** "Reuse" in History: the form set as that image was made, its prompt included. */
export function reusedForm(provenance: Provenance): Partial<FormState> {
  return {
    action: provenance.action ?? null,
    prompt: provenance.prompt,
    structured: false,
    modelId: provenance.model,
    ratio: ratioOfSize(provenance.size),
    quality: provenance.quality,
  }
}
