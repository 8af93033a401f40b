import { expandedCanvas, withinShapeLimits } from '../utilities/expand-canvas'
import { sizeForLayer } from '../utilities/frame-size'
import { type Action, commonBody, isVisual, priceOf, resultName } from './action-plan'

const EXPAND_INSTRUCTION =
  'Extend this image into the empty area around it, continuing the scene seamlessly with the same light, perspective and style.'

/** Outpainting: a larger canvas of the chosen shape with the original in place; only the new area is painted. */
export const expandAction: Action = {
  id: 'expand',
  label: 'Expand',
  hint: 'Each selected image or frame on a larger canvas, the new area painted to match, placed beside it.',
  needsPrompt: false,
  sources: (selection) => selection.filter(isVisual),
  problem(form, selection) {
    const sources = this.sources(selection, form)
    if (sources.length === 0) return 'Select the image or frame to expand.'
    for (const source of sources) {
      const canvas = expandedCanvas(source, form.expand.target, form.expand.anchor)
      if (!canvas)
        return `"${source.name}" already has that shape: choose another ratio, or a margin.`
      if (!withinShapeLimits(canvas))
        return 'That would be wider or taller than 3:1, which the model cannot make. Choose a smaller change.'
    }
    if (!form.model.masks)
      return "This server's image service cannot expand images. Ask your team admin about the OpenAI image service."
    return null
  },
  plan(jobId, form, selection) {
    const sources = this.sources(selection, form)
    const prompt = form.prompt.trim()
      ? `${EXPAND_INSTRUCTION}\n\n${form.prompt.trim()}`
      : EXPAND_INSTRUCTION
    const { target, anchor } = form.expand
    return {
      placement: {
        jobId,
        slots: sources.flatMap((source) => {
          const canvas = expandedCanvas(source, target, anchor)!
          return Array.from({ length: form.n }, (_, index) => ({
            kind: 'beside' as const,
            width: canvas.width,
            height: canvas.height,
            sourceNodeId: source.id,
            name: resultName(
              `${source.name} · expanded${form.n > 1 ? ` ${index + 1}` : ''}`,
              form.markAiGenerated,
            ),
          }))
        }),
      },
      requests: sources.map((source, index) => {
        const canvas = expandedCanvas(source, target, anchor)!
        return {
          firstSlot: index * form.n,
          body: {
            ...commonBody(form, prompt),
            n: form.n,
            size: sizeForLayer(canvas.width, canvas.height, form.model),
          },
          input: { kind: 'expand' as const, nodeId: source.id, target, anchor },
          provenance: { action: 'expand' as const, sources: [source.id] },
        }
      }),
      images: sources.length * form.n,
      cost: priceOf(form, sources.length * form.n),
    }
  },
}
