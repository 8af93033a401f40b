import {
  Button,
  Checkbox,
  Dropdown,
  SegmentedControl,
  Text,
  Textbox,
  TextboxMultiline,
  Toggle,
} from '@create-figma-plugin/ui'
import { h } from 'preact'
import {
  type AspectRatio,
  type CatalogModel,
  MAX_PROMPT_LENGTH,
  QUALITIES,
  type Quality,
} from '../../../shared'
import { actionById } from '../../actions/action-list'
import type { ActionId, SelectionItem } from '../../types'
import type { StructuredPrompt } from '../../utilities/build-prompt'
import { effectivePrompt, type FormState } from '../../utilities/form-state'
import styles from '../app.css'
import { ActionOptions } from './action-options'
import { ActionPicker } from './action-picker'
import { ReferenceStrip } from './reference-strip'

export interface ActionPanelProps {
  action: ActionId
  form: FormState
  update: (patch: Partial<FormState>) => void
  catalog: CatalogModel[]
  model: CatalogModel | null
  /** The layers the action works on (pinned after a generation, or the selection). */
  sources: SelectionItem[]
  pinned: boolean
  onUseSelection: () => void
  suggestedRatio: AspectRatio | null
  busy: boolean
  enhancing: boolean
  /** Enhance is free, but only while the designer has credits. */
  canEnhance: boolean
  onEnhance: () => void
}

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

const COUNTS = ['1', '2', '3', '4']

function takesCount(action: ActionId, form: FormState): boolean {
  if (action === 'create') return form.placement === 'frames'
  return action === 'restyle' || action === 'vary' || action === 'expand'
}

function takesTransparency(action: ActionId): boolean {
  return action === 'create' || action === 'restyle' || action === 'vary'
}

function PromptEditor({
  action,
  form,
  update,
  busy,
  enhancing,
  canEnhance,
  onEnhance,
}: ActionPanelProps) {
  const length = effectivePrompt(form).length
  const [label, placeholder] = PROMPT_LABELS[action]
  return (
    <div>
      <div class={styles.spread}>
        <label class={styles.label} for="prompt">
          {label}
        </label>
        <Toggle value={form.structured} onValueChange={(structured) => update({ structured })}>
          <Text>Structured</Text>
        </Toggle>
      </div>
      {form.structured ? (
        STRUCTURED_FIELDS.map(([key, fieldLabel, example]) => (
          <div key={key} style={{ marginBottom: 6 }}>
            <div class={styles.muted}>{fieldLabel}</div>
            <Textbox
              value={form.fields[key]}
              placeholder={example}
              disabled={busy}
              aria-label={fieldLabel}
              onValueInput={(value) => update({ fields: { ...form.fields, [key]: value } })}
            />
          </div>
        ))
      ) : (
        <TextboxMultiline
          id="prompt"
          value={form.prompt}
          rows={4}
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
            {!canEnhance && <span class={styles.muted}>Enhance needs credits</span>}
            <Button
              secondary
              loading={enhancing}
              disabled={busy || !form.prompt.trim() || !canEnhance}
              onClick={onEnhance}
            >
              Enhance
            </Button>
          </span>
        )}
      </div>
    </div>
  )
}

function Sources(props: ActionPanelProps) {
  const { action, form, update, sources } = props
  return (
    <div>
      <div class={styles.spread}>
        <div class={styles.label}>
          {action === 'create' ? 'Layers to fill' : 'From'} ({sources.length})
          {props.pinned ? ' · kept from the last generation' : ''}
        </div>
        {props.pinned && (
          <button type="button" class={styles.linkButton} onClick={props.onUseSelection}>
            Use selection
          </button>
        )}
      </div>
      <ReferenceStrip
        items={sources}
        emptyText="Select layers on the canvas."
        onRemove={(id) => update({ removed: [...form.removed, id] })}
      />
    </div>
  )
}

export function ActionPanel(props: ActionPanelProps) {
  const { action, form, update, catalog, model, busy } = props
  const definition = actionById(action)
  const usesSources = action !== 'create' || form.placement === 'fill'
  return (
    <div class={styles.body}>
      <div>
        <ActionPicker
          value={action}
          disabled={busy}
          onChange={(chosen) =>
            update({ action: chosen, n: chosen === 'vary' ? Math.max(form.n, 2) : form.n })
          }
        />
        <div class={styles.muted} style={{ marginTop: 6 }} data-testid="action-hint">
          {definition.hint}
        </div>
      </div>
      {usesSources && <Sources {...props} />}
      <PromptEditor {...props} />
      <ActionOptions
        action={action}
        form={form}
        update={update}
        suggestedRatio={props.suggestedRatio}
        busy={busy}
      />
      <div>
        <div class={styles.label}>Model</div>
        <Dropdown
          value={model?.id ?? null}
          placeholder="Loading models…"
          options={catalog.map((entry) => ({
            value: entry.id,
            text: `${entry.label} · ${entry.prices.low}–${entry.prices.high} credits${entry.provider === 'preview' ? ' · offline preview' : ''}`,
          }))}
          onValueChange={(modelId) => update({ modelId })}
        />
      </div>
      <div class={styles.spread}>
        <div style={{ flex: 1 }}>
          <div class={styles.label}>Quality</div>
          <SegmentedControl
            value={form.quality}
            onValueChange={(quality) => update({ quality: quality as Quality })}
            options={QUALITIES.map((quality) => ({
              value: quality,
              children: quality[0].toUpperCase() + quality.slice(1),
            }))}
          />
        </div>
        {takesCount(action, form) && (
          <div>
            <div class={styles.label}>Variations</div>
            <SegmentedControl
              value={String(form.n)}
              onValueChange={(n) => update({ n: Number(n) })}
              options={COUNTS.map((count) => ({ value: count }))}
            />
          </div>
        )}
      </div>
      {takesTransparency(action) && (
        <Checkbox value={form.transparent} onValueChange={(transparent) => update({ transparent })}>
          <Text>Transparent background (cutout)</Text>
        </Checkbox>
      )}
    </div>
  )
}
