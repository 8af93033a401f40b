import type { AspectRatio, CatalogModel, GenerateRequestInput, Quality } from '../../shared'
import type { ActionId, PlacementPlan, Provenance, SelectionItem } from '../types'
import type { KeepFixed } from '../utilities/build-prompt'
import type { ExpandAnchor, ExpandTarget } from '../utilities/expand-canvas'
import { AI_MARK } from '../utilities/layer-name'

/** The form as an action reads it. */
export interface ActionForm {
  action: ActionId
  prompt: string
  model: CatalogModel
  ratio: AspectRatio
  quality: Quality
  n: number
  transparent: boolean
  keepFixed: KeepFixed[]
  /** Create: new frames, or into the selected layers' fills. */
  placement: 'frames' | 'fill'
  /** Restyle: the selected layers as references for one set of images, instead of one each. */
  combine: boolean
  expand: { target: ExpandTarget; anchor: ExpandAnchor }
  markAiGenerated: boolean
}

/** What a request is made from, prepared by the main thread and the UI just before it is sent. */
export type RequestInput =
  | { kind: 'none' }
  /** Layers exported as references, as they look on the canvas. */
  | { kind: 'references'; nodeIds: string[] }
  /** An image and the shapes over it: only the area under the shapes changes. */
  | { kind: 'edit-area'; imageNodeId: string; shapeNodeIds: string[] }
  /** A larger canvas around a layer: only the new area is painted. */
  | { kind: 'expand'; nodeId: string; target: ExpandTarget; anchor: ExpandAnchor }

export interface PlannedRequest {
  /** The placement slot of this request's first image. */
  firstSlot: number
  body: GenerateRequestInput
  input: RequestInput
  /** What the results remember beyond the request itself. */
  provenance: Required<Pick<Provenance, 'action' | 'sources'>>
}

export interface GenerationPlan {
  placement: PlacementPlan
  requests: PlannedRequest[]
  images: number
  cost: number
}

export interface Action {
  id: ActionId
  label: string
  /** What the action does, and what it needs selected, in a sentence. */
  hint: string
  /** Whether the designer must write a prompt (otherwise a built-in instruction is used). */
  needsPrompt: boolean
  /** Which selected layers it works on. */
  sources(selection: SelectionItem[], form: ActionForm): SelectionItem[]
  /** Why it cannot run on this selection with this form, in words for the designer, or null. */
  problem(form: ActionForm, selection: SelectionItem[]): string | null
  plan(jobId: string, form: ActionForm, selection: SelectionItem[]): GenerationPlan
}

/** The fields every request of a plan shares. */
export function commonBody(form: ActionForm, prompt: string) {
  return {
    prompt,
    model: form.model.id,
    quality: form.quality,
    background: form.transparent ? ('transparent' as const) : ('auto' as const),
    output_format: 'png' as const,
  }
}

export function priceOf(form: ActionForm, images: number): number {
  return images * form.model.prices[form.quality]
}

/** A result layer's name: its source's name and what was done, marked when the designer asks. */
export function resultName(base: string, markAiGenerated: boolean): string {
  return markAiGenerated ? `${base} · ${AI_MARK}` : base
}

export const isVisual = (item: SelectionItem) => item.role === 'image' || item.role === 'frame'
