const MAX_NAME_LENGTH = 48
export const AI_MARK = 'AI-generated'

/** A short layer name from the prompt: its first words, cut at a word boundary. */
export function layerName(prompt: string, markAiGenerated: boolean, index?: number): string {
  const flat = prompt.replace(/\s+/g, ' ').trim() || 'Generated image'
  let name = flat
  if (flat.length > MAX_NAME_LENGTH) {
    const cut = flat.slice(0, MAX_NAME_LENGTH)
    const lastSpace = cut.lastIndexOf(' ')
    name = `${(lastSpace > 20 ? cut.slice(0, lastSpace) : cut).replace(/[,.;:]$/, '')}…`
  }
  if (index !== undefined) name = `${name} ${index + 1}`
  return markAiGenerated ? `${name} · ${AI_MARK}` : name
}
