import type { Brief } from './schemas/enhance'

const LABELS: [keyof Omit<Brief, 'text'>, string][] = [
  ['subject', 'Subject'],
  ['setting', 'Setting'],
  ['composition', 'Composition'],
  ['lighting', 'Lighting'],
  ['camera', 'Camera'],
  ['style', 'Style'],
  ['mood', 'Mood'],
]

/** A brief written out as the prompt sent to the image model; empty fields are left out. */
export function briefToPrompt(brief: Partial<Brief>): string {
  const lines = LABELS.flatMap(([field, label]) => {
    const value = brief[field]?.trim()
    return value ? [`${label}: ${value}`] : []
  })
  const text = brief.text?.filter((quote) => quote.trim() !== '') ?? []
  if (text.length > 0) {
    lines.push(
      `Text in the image, exactly as written: ${text.map((quote) => `"${quote}"`).join(', ')}`,
    )
  }
  return lines.join('\n')
}

/** On-image text the designer quoted, kept exactly as written. */
export function quotedText(prompt: string): string[] {
  const quotes = prompt.matchAll(/"([^"]+)"|“([^”]+)”|«([^»]+)»/g)
  return [...quotes]
    .map((match) => match[1] ?? match[2] ?? match[3])
    .filter((text) => text.trim() !== '')
}
