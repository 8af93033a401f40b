import { Button, Text, Textbox, TextboxMultiline, Toggle } from '@create-figma-plugin/ui'
import { h } from 'preact'
import { MAX_PROMPT_LENGTH } from '../../../shared'
import type { ActionId } from '../../types'
import type { StructuredPrompt } from '../../utilities/build-prompt'
import { effectivePrompt, type FormState, switchStructured } from '../../utilities/form-state'
import styles from '../app.css'

export const PROMPT_ID = 'prompt'

const STRUCTURED_FIELDS: [keyof StructuredPrompt, string, string][] = [
  ['subject', 'Subject', 'a citrus soda bottle with condensation'],
  ['style', 'Style', 'photorealistic product shot'],
  ['composition', 'Composition', 'centred, generous space for a headline'],
  ['lighting', 'Lighting', 'soft studio light, gentle reflections'],
  ['mood', 'Mood', 'fresh and premium'],
]

const PROMPT_LABELS: Record<ActionId, [string, string]> = {
  create: [
    'Describe the image',
    'A citrus soda bottle on a wet studio table, soft reflections, headline "Fresh Drop"',
  ],
  restyle: [
    'What should change?',
    'Restyle as a watercolour illustration, keep the product label readable',
  ],
  'edit-area': ['What should be in the area?', 'A bunch of yellow tulips in a glass vase'],
  expand: [
    'What should the new area show? (optional)',
    'More of the beach, with the pier on the left',
  ],
  'remove-background': ['Anything to keep? (optional)', 'Keep the shadow under the bottle'],
  vary: [
    'What should vary? (optional: the layer’s own prompt is used)',
    'Warmer light, a different angle',
  ],
}

/** The prompt, written freely or in fields, with Enhance: the last stop before Generate. */
export function PromptComposer(props: {
  action: ActionId
  form: FormState
  update: (patch: Partial<FormState>) => void
  busy: boolean
  enhancing: boolean
  /** Enhance is free, but only while the designer has credits. */
  canEnhance: boolean
  onEnhance: () => void
}) {
  const { form, update, busy } = props
  const length = effectivePrompt(form).length
  const [label, placeholder] = PROMPT_LABELS[props.action]
  return (
    <div>
      <div class={styles.spread}>
        <label class={styles.label} for={PROMPT_ID}>
          {label}
        </label>
        <Toggle
          value={form.structured}
          onValueChange={(structured) => update(switchStructured(form, structured))}
        >
          <Text>Structured</Text>
        </Toggle>
      </div>
      {form.structured ? (
        <div class={styles.fields}>
          {STRUCTURED_FIELDS.map(([key, fieldLabel, example], index) => (
            <Textbox
              key={key}
              id={index === 0 ? PROMPT_ID : undefined}
              value={form.fields[key]}
              placeholder={`${fieldLabel}: ${example}`}
              disabled={busy}
              aria-label={fieldLabel}
              onValueInput={(value) => update({ fields: { ...form.fields, [key]: value } })}
            />
          ))}
        </div>
      ) : (
        <TextboxMultiline
          id={PROMPT_ID}
          value={form.prompt}
          rows={3}
          disabled={busy}
          data-testid="prompt"
          placeholder={placeholder}
          onValueInput={(prompt) => update({ prompt })}
        />
      )}
      <div class={styles.spread} style={{ marginTop: 4 }}>
        <span
          class={length > MAX_PROMPT_LENGTH ? styles.warning : styles.muted}
          data-testid="prompt-counter"
        >
          {length.toLocaleString('en-US')} / {MAX_PROMPT_LENGTH.toLocaleString('en-US')}
        </span>
        {!form.structured && (
          <span class={styles.row}>
            {!props.canEnhance && <span class={styles.muted}>Enhance needs credits</span>}
            <Button
              secondary
              loading={props.enhancing}
              disabled={busy || !form.prompt.trim() || !props.canEnhance}
              onClick={props.onEnhance}
              title="Rewrite the prompt as a detailed brief, for you to review"
            >
              Enhance
            </Button>
          </span>
        )}
      </div>
    </div>
  )
}
