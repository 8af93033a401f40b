import { sizeForLayer } from '../utilities/frame-size'
import { type Action, commonBody, isVisual, priceOf, resultName } from './action-plan'

const VARY_INSTRUCTION =
  'A new variation of this image: keep its subject, composition, palette and style, and change the details.'

/** New variations of a layer's own image, from the layer itself and the prompt it was made with. */
export const varyAction: Action = {
  id: 'vary',
  label: 'Vary',
  hint: 'New variations of each selected image, from the image itself, placed beside it.',
  needsPrompt: false,
  sources: (selection) => selection.filter(isVisual),
  problem(form, selection) {
    if (this.sources(selection, form).length === 0) return 'Select the image to make variations of.'
    if (!form.model.takes_references) return `${form.model.label} cannot vary images.`
    return null
  },
  plan(jobId, form, selection) {
    const sources = this.sources(selection, form)
    return {
      placement: {
        jobId,
        slots: sources.flatMap((source) =>
          Array.from({ length: form.n }, (_, index) => ({
            kind: 'beside' as const,
            width: source.width,
            height: source.height,
            sourceNodeId: source.id,
            name: resultName(`${source.name} · variation ${index + 1}`, form.markAiGenerated),
          })),
        ),
      },
      requests: sources.map((source, index) => {
        const stored = form.prompt.trim() || source.provenance?.prompt || ''
        const prompt = stored ? `${VARY_INSTRUCTION}\n\n${stored}` : VARY_INSTRUCTION
        return {
          firstSlot: index * form.n,
          body: {
            ...commonBody(form, prompt),
            n: form.n,
            size: sizeForLayer(source.width, source.height, form.model),
          },
          input: { kind: 'references' as const, nodeIds: [source.id] },
          provenance: { action: 'vary' as const, sources: [source.id] },
        }
      }),
      images: sources.length * form.n,
      cost: priceOf(form, sources.length * form.n),
    }
  },
}
