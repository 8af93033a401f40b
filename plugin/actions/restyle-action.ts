import { buildPrompt } from '../utilities/build-prompt'
import { frameSizeFor, sizeForLayer } from '../utilities/frame-size'
import { layerName } from '../utilities/layer-name'
import { type Action, commonBody, isVisual, priceOf, resultName } from './action-plan'

/**
 * Restyle: each selected layer on its own, as its own reference at its own shape, into new frames
 * of exactly its size beside it; or, combined, all of them as references for one set of images.
 */
export const restyleAction: Action = {
  id: 'restyle',
  label: 'Restyle',
  hint: 'A new version of each selected frame or image, in its own shape, placed beside it.',
  needsPrompt: true,
  sources: (selection) => selection.filter(isVisual),
  problem(form, selection) {
    const sources = this.sources(selection, form)
    if (sources.length === 0) return 'Select the frames or images to restyle.'
    if (!form.model.takes_references) return `${form.model.label} cannot restyle images.`
    if (form.combine && sources.length > form.model.max_references)
      return `Use at most ${form.model.max_references} layers: deselect some.`
    return null
  },
  plan(jobId, form, selection) {
    const sources = this.sources(selection, form)
    const body = commonBody(form, buildPrompt(form.prompt, form.keepFixed))
    const ids = sources.map((source) => source.id)
    if (form.combine) {
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
            input: { kind: 'references', nodeIds: ids },
            provenance: { action: 'restyle', sources: ids },
          },
        ],
        images: form.n,
        cost: priceOf(form, form.n),
      }
    }
    return {
      placement: {
        jobId,
        slots: sources.flatMap((source) =>
          Array.from({ length: form.n }, (_, index) => ({
            kind: 'beside' as const,
            width: source.width,
            height: source.height,
            sourceNodeId: source.id,
            name: resultName(
              `${source.name} · restyled${form.n > 1 ? ` ${index + 1}` : ''}`,
              form.markAiGenerated,
            ),
          })),
        ),
      },
      requests: sources.map((source, index) => ({
        firstSlot: index * form.n,
        body: { ...body, n: form.n, size: sizeForLayer(source.width, source.height, form.model) },
        input: { kind: 'references' as const, nodeIds: [source.id] },
        provenance: { action: 'restyle' as const, sources: [source.id] },
      })),
      images: sources.length * form.n,
      cost: priceOf(form, sources.length * form.n),
    }
  },
}
