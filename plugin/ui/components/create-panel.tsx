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
import { type CatalogModel, MAX_PROMPT_LENGTH, QUALITIES, type Quality } from '../../../shared'
import type { SelectionItem } from '../../types'
import {
  KEEP_FIXED_OPTIONS,
  type KeepFixed,
  type StructuredPrompt,
} from '../../utilities/build-prompt'
import { effectivePrompt, type FormState } from '../../utilities/form-state'
import styles from '../app.css'
import { AspectRatioPicker } from './aspect-ratio-picker'
import { ReferenceStrip } from './reference-strip'

export interface CreatePanelProps {
  form: FormState
  update: (patch: Partial<FormState>) => void
  catalog: CatalogModel[]
  model: CatalogModel | null
  selection: SelectionItem[]
  references: SelectionItem[]
  busy: boolean
  enhancing: boolean
  onEnhance: () => void
}

const STRUCTURED_FIELDS: [keyof StructuredPrompt, string, string][] = [
  ['subject', 'Subject', 'a citrus soda bottle with condensation'],
  ['style', 'Style', 'photorealistic product shot'],
  ['composition', 'Composition', 'centred, generous space for a headline'],
  ['lighting', 'Lighting', 'soft studio light, gentle reflections'],
  ['mood', 'Mood', 'fresh and premium'],
]

const COUNTS = ['1', '2', '3', '4']

function PromptEditor({ form, update, busy, enhancing, onEnhance }: CreatePanelProps) {
  const length = effectivePrompt(form).length
  return (
    <div>
      <div class={styles.spread}>
        <div class={styles.label}>
          {form.mode === 'restyle' ? 'What should change?' : 'Describe the image'}
        </div>
        <Toggle value={form.structured} onValueChange={(structured) => update({ structured })}>
          <Text>Structured</Text>
        </Toggle>
      </div>
      {form.structured ? (
        STRUCTURED_FIELDS.map(([key, label, placeholder]) => (
          <div key={key} style={{ marginBottom: 6 }}>
            <div class={styles.muted}>{label}</div>
            <Textbox
              value={form.fields[key]}
              placeholder={placeholder}
              disabled={busy}
              onValueInput={(value) => update({ fields: { ...form.fields, [key]: value } })}
            />
          </div>
        ))
      ) : (
        <TextboxMultiline
          value={form.prompt}
          rows={5}
          disabled={busy}
          data-testid="prompt"
          placeholder={
            form.mode === 'restyle'
              ? 'Restyle as a watercolour illustration, keep the product label readable'
              : 'A citrus soda bottle on a wet studio table, soft reflections, headline "Fresh Drop"'
          }
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
          <Button
            secondary
            loading={enhancing}
            disabled={busy || !form.prompt.trim()}
            onClick={onEnhance}
          >
            Enhance
          </Button>
        )}
      </div>
    </div>
  )
}

function KeepFixedToggles({ form, update }: Pick<CreatePanelProps, 'form' | 'update'>) {
  const toggle = (key: KeepFixed, on: boolean) =>
    update({
      keepFixed: on ? [...form.keepFixed, key] : form.keepFixed.filter((item) => item !== key),
    })
  return (
    <div>
      <div class={styles.label}>Keep fixed</div>
      <div class={styles.thumbs}>
        {(Object.keys(KEEP_FIXED_OPTIONS) as KeepFixed[]).map((key) => (
          <Checkbox
            key={key}
            value={form.keepFixed.includes(key)}
            onValueChange={(on) => toggle(key, on)}
          >
            <Text>{KEEP_FIXED_OPTIONS[key].label}</Text>
          </Checkbox>
        ))}
      </div>
    </div>
  )
}

export function CreatePanel(props: CreatePanelProps) {
  const { form, update, catalog, model, busy } = props
  const fillTargets = props.references.filter((item) => item.fillable)
  return (
    <div class={styles.body}>
      <SegmentedControl
        value={form.mode}
        onValueChange={(mode) => update({ mode: mode as FormState['mode'] })}
        options={[
          { value: 'create', children: 'Create' },
          { value: 'restyle', children: 'Restyle selection' },
        ]}
      />
      {(form.mode === 'restyle' || form.placement === 'fill') && (
        <div>
          <div class={styles.label}>
            {form.mode === 'restyle'
              ? `References (${props.references.length}/16)`
              : `Layers to fill (${fillTargets.length})`}
          </div>
          <ReferenceStrip
            items={props.references}
            emptyText="Select frames, components or images on the canvas."
            onRemove={(id) => update({ removed: [...form.removed, id] })}
          />
        </div>
      )}
      <PromptEditor {...props} />
      {form.mode === 'restyle' && <KeepFixedToggles form={form} update={update} />}
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
      <SegmentedControl
        value={form.placement}
        onValueChange={(placement) => update({ placement: placement as FormState['placement'] })}
        options={[
          { value: 'frames', children: 'New frames' },
          { value: 'fill', children: 'Fill selection' },
        ]}
      />
      {form.placement === 'frames' ? (
        <div>
          <div class={styles.label}>Aspect ratio</div>
          <AspectRatioPicker
            value={form.ratio}
            onChange={(ratio) => update({ ratio })}
            disabled={busy}
          />
        </div>
      ) : (
        <div class={styles.muted}>
          Each selected layer gets an image in its own shape, placed in its fill.
        </div>
      )}
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
        {form.placement === 'frames' && (
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
      <Checkbox value={form.transparent} onValueChange={(transparent) => update({ transparent })}>
        <Text>Transparent background (cutout)</Text>
      </Checkbox>
    </div>
  )
}
