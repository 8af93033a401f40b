import type { SelectionItem } from '../types'
import { sizeForLayer } from '../utilities/frame-size'
import { type Action, commonBody, isVisual, priceOf, resultName } from './action-plan'

function overlaps(a: SelectionItem, b: SelectionItem): boolean {
  return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height
}

/** The image (or frame) to edit and the shapes drawn over it. */
function parts(selection: SelectionItem[]) {
  const targets = selection.filter(isVisual)
  const shapes = selection.filter((item) => item.role === 'shape')
  return { target: targets.length === 1 ? targets[0] : null, targets, shapes }
}

/**
 * Inpainting: the union of the shapes over an image is the area to change; everything outside it
 * keeps the original's pixels. The result goes exactly over the original, and the shapes are hidden.
 */
export const editAreaAction: Action = {
  id: 'edit-area',
  label: 'Edit area',
  hint: 'Select an image and shapes drawn over the part to change; the rest stays exactly as it is.',
  needsPrompt: true,
  sources: (selection) => {
    const { target, shapes } = parts(selection)
    return target ? [target, ...shapes.filter((shape) => overlaps(shape, target))] : []
  },
  problem(form, selection) {
    const { target, targets, shapes } = parts(selection)
    if (targets.length > 1) return 'Select one image, and the shapes over the part to change.'
    if (!target) return 'Select an image, and the shapes drawn over the part to change.'
    if (shapes.length === 0)
      return 'Draw a shape (rectangle, ellipse or pencil) over the part to change, and select it with the image.'
    if (!shapes.some((shape) => overlaps(shape, target)))
      return 'The selected shapes are not over the image: move them onto the part to change.'
    if (!form.model.masks)
      return "This server's image service cannot edit an area. Ask your team admin about the OpenAI image service, or use Restyle."
    return null
  },
  plan(jobId, form, selection) {
    const [target, ...shapes] = this.sources(selection, form)
    const shapeIds = shapes.map((shape) => shape.id)
    return {
      placement: {
        jobId,
        slots: [
          {
            kind: 'over',
            sourceNodeId: target.id,
            hideNodeIds: shapeIds,
            name: resultName(`${target.name} · edited`, form.markAiGenerated),
          },
        ],
      },
      requests: [
        {
          firstSlot: 0,
          // The size is the edited region's, settled once the image's pixels are known.
          body: {
            ...commonBody(form, form.prompt.trim()),
            n: 1,
            size: sizeForLayer(target.width, target.height, form.model),
          },
          input: { kind: 'edit-area', imageNodeId: target.id, shapeNodeIds: shapeIds },
          provenance: { action: 'edit-area', sources: [target.id, ...shapeIds] },
        },
      ],
      images: 1,
      cost: priceOf(form, 1),
    }
  },
}
