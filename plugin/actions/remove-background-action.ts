import { sizeForLayer } from '../utilities/frame-size'
import { type Action, commonBody, priceOf, resultName } from './action-plan'

const CUTOUT_INSTRUCTION =
  'Remove the background completely. Keep only the main subject, exactly as it is, on a fully transparent background.'

/** A cut-out with real transparency, placed over the original, which is hidden, not deleted. */
export const removeBackgroundAction: Action = {
  id: 'remove-background',
  label: 'Remove background',
  hint: 'A cut-out of each selected image with a transparent background, over the original.',
  needsPrompt: false,
  sources: (selection) => selection.filter((item) => item.role === 'image'),
  problem(form, selection) {
    if (this.sources(selection, form).length === 0)
      return 'Select the image to cut out: a layer filled with a photo or picture.'
    if (!form.model.transparency)
      return "This server's image service cannot make transparency, so a background cannot be removed. Ask your team admin about the OpenAI image service."
    return null
  },
  plan(jobId, form, selection) {
    const sources = this.sources(selection, form)
    const prompt = form.prompt.trim()
      ? `${CUTOUT_INSTRUCTION}\n\n${form.prompt.trim()}`
      : CUTOUT_INSTRUCTION
    return {
      placement: {
        jobId,
        slots: sources.map((source) => ({
          kind: 'over' as const,
          sourceNodeId: source.id,
          hideNodeIds: [source.id],
          name: resultName(`${source.name} · cut out`, form.markAiGenerated),
        })),
      },
      requests: sources.map((source, index) => ({
        firstSlot: index,
        body: {
          ...commonBody(form, prompt),
          background: 'transparent' as const,
          n: 1,
          size: sizeForLayer(source.width, source.height, form.model),
        },
        input: { kind: 'references' as const, nodeIds: [source.id] },
        provenance: { action: 'remove-background' as const, sources: [source.id] },
      })),
      images: sources.length,
      cost: priceOf(form, sources.length),
    }
  },
}
