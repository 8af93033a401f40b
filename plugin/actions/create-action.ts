import { frameSizeFor, sizeForLayer } from '../utilities/frame-size'
import { layerName } from '../utilities/layer-name'
import { type Action, commonBody, priceOf } from './action-plan'

/** Text to image: new frames of the chosen ratio beside the selection, or into selected layers' fills. */
export const createAction: Action = {
  id: 'create',
  label: 'Create',
  hint: 'New images from your prompt, in frames of the chosen shape or in the selected layers.',
  needsPrompt: true,
  sources: (selection, form) =>
    form.placement === 'fill' ? selection.filter((item) => item.fillable) : [],
  problem(form, selection) {
    if (form.placement === 'fill' && !selection.some((item) => item.fillable))
      return 'Select the layers to fill: frames, rectangles or components.'
    return null
  },
  plan(jobId, form, selection) {
    const body = commonBody(form, form.prompt.trim())
    const provenance = { action: 'create' as const, sources: [] }
    if (form.placement === 'fill') {
      const targets = this.sources(selection, form)
      return {
        placement: {
          jobId,
          slots: targets.map((target) => ({
            kind: 'fill' as const,
            width: target.width,
            height: target.height,
            name: target.name,
            targetNodeId: target.id,
          })),
        },
        requests: targets.map((target, index) => ({
          firstSlot: index,
          body: { ...body, n: 1, size: sizeForLayer(target.width, target.height, form.model) },
          input: { kind: 'none' as const },
          provenance: { action: 'create' as const, sources: [target.id] },
        })),
        images: targets.length,
        cost: priceOf(form, targets.length),
      }
    }
    const frame = frameSizeFor(form.ratio)
    return {
      placement: {
        jobId,
        slots: Array.from({ length: form.n }, (_, index) => ({
          kind: 'block' as const,
          ...frame,
          name: layerName(form.prompt, form.markAiGenerated, form.n > 1 ? index : undefined),
        })),
      },
      requests: [
        {
          firstSlot: 0,
          body: { ...body, n: form.n, size: form.ratio },
          input: { kind: 'none' },
          provenance,
        },
      ],
      images: form.n,
      cost: priceOf(form, form.n),
    }
  },
}
