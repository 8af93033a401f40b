import type { Background, CatalogModel, GenerateRequestInput, Quality } from '../../shared'
import type { PlacementMode, PlacementPlan, SelectionItem } from '../types'
import { buildPrompt, type KeepFixed } from './build-prompt'
import { frameSizeFor, sizeForLayer } from './frame-size'
import { layerName } from './layer-name'

export type GenerationMode = 'create' | 'restyle'

export interface GenerationForm {
  mode: GenerationMode
  placement: PlacementMode
  prompt: string
  model: CatalogModel
  size: string
  quality: Quality
  n: number
  background: Background
  keepFixed: KeepFixed[]
  markAiGenerated: boolean
}

export interface PlannedRequest {
  /** The placement slot of this request's first image. */
  firstSlot: number
  body: GenerateRequestInput
  referenceNodeIds: string[]
}

export interface GenerationPlan {
  placement: PlacementPlan
  requests: PlannedRequest[]
  images: number
  cost: number
}

/** Why this form cannot be generated as it stands, in words for the designer, or null. */
export function planProblem(form: GenerationForm, references: SelectionItem[]): string | null {
  if (!form.prompt.trim()) return 'Describe the image you want first.'
  if (form.placement === 'fill' && references.filter((item) => item.fillable).length === 0) {
    return 'Select the layers to fill: frames, rectangles or components.'
  }
  if (form.mode === 'restyle' && form.placement === 'frames' && references.length === 0) {
    return 'Select the frames or images to restyle, or switch to Create.'
  }
  if (form.mode === 'restyle' && !form.model.takes_references)
    return `${form.model.label} cannot restyle images.`
  if (references.length > form.model.max_references) {
    return `Use at most ${form.model.max_references} references: remove some from the list.`
  }
  return null
}

/**
 * Turns the form into worker requests and canvas slots. New frames: one request for n images.
 * Fill selection: one request per layer, each at its layer's own shape, restyling that layer when
 * in restyle mode.
 */
export function planGeneration(
  jobId: string,
  form: GenerationForm,
  references: SelectionItem[],
): GenerationPlan {
  const prompt = buildPrompt(form.prompt, form.mode === 'restyle' ? form.keepFixed : [])
  const common = {
    prompt,
    model: form.model.id,
    quality: form.quality,
    background: form.background,
    output_format: 'png' as const,
  }
  if (form.placement === 'fill') {
    const targets = references.filter((item) => item.fillable)
    return {
      placement: {
        jobId,
        mode: 'fill',
        slots: targets.map((target) => ({
          width: target.width,
          height: target.height,
          name: target.name,
          targetNodeId: target.id,
        })),
      },
      requests: targets.map((target, index) => ({
        firstSlot: index,
        body: { ...common, n: 1, size: sizeForLayer(target.width, target.height, form.model) },
        referenceNodeIds: form.mode === 'restyle' ? [target.id] : [],
      })),
      images: targets.length,
      cost: targets.length * form.model.prices[form.quality],
    }
  }
  const frame = frameSizeFor(form.size)
  return {
    placement: {
      jobId,
      mode: 'frames',
      slots: Array.from({ length: form.n }, (_, index) => ({
        ...frame,
        name: layerName(form.prompt, form.markAiGenerated, form.n > 1 ? index : undefined),
      })),
    },
    requests: [
      {
        firstSlot: 0,
        body: { ...common, n: form.n, size: form.size },
        referenceNodeIds: form.mode === 'restyle' ? references.map((item) => item.id) : [],
      },
    ],
    images: form.n,
    cost: form.n * form.model.prices[form.quality],
  }
}
