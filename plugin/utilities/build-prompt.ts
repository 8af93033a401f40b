import { briefToPrompt, quotedText } from '../../shared'

export const KEEP_FIXED_OPTIONS = {
  subject: {
    label: 'Subject or face',
    constraint: 'the subject and any faces exactly as they are',
  },
  layout: { label: 'Layout', constraint: 'the layout and the position of every element' },
  framing: { label: 'Framing', constraint: 'the framing and crop' },
  angle: { label: 'Product angle', constraint: 'the product angle and perspective' },
  colours: { label: 'Colours', constraint: 'the colour palette' },
} as const

export type KeepFixed = keyof typeof KEEP_FIXED_OPTIONS

export interface StructuredPrompt {
  subject: string
  style: string
  composition: string
  lighting: string
  mood: string
}

export const EMPTY_STRUCTURED: StructuredPrompt = {
  subject: '',
  style: '',
  composition: '',
  lighting: '',
  mood: '',
}

/** The structured fields as one prompt; text in quotes is carried over verbatim. */
export function structuredToPrompt(fields: StructuredPrompt): string {
  const all = Object.values(fields).join(' ')
  return briefToPrompt({ ...fields, text: quotedText(all) })
}

/** The prompt plus an explicit constraint for every "keep fixed" toggle that is on. */
export function buildPrompt(prompt: string, keepFixed: readonly KeepFixed[]): string {
  const base = prompt.trim()
  if (keepFixed.length === 0) return base
  const constraints = keepFixed.map((key) => KEEP_FIXED_OPTIONS[key].constraint)
  return `${base}\n\nKeep fixed, unchanged from the reference: ${constraints.join('; ')}.`
}
