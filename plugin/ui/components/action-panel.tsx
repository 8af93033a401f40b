import { Checkbox, Dropdown, SegmentedControl, Text } from '@create-figma-plugin/ui'
import { h } from 'preact'
import { type AspectRatio, type CatalogModel, QUALITIES, type Quality } from '../../../shared'
import { actionById } from '../../actions/action-list'
import type { ActionId, SelectionItem } from '../../types'
import { type FormState, VARIATION_COUNTS } from '../../utilities/form-state'
import styles from '../app.css'
import { ActionOptions } from './action-options'
import { ActionPicker } from './action-picker'
import { radioGroupName } from './radio-group-name'
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
}

function takesCount(action: ActionId, form: FormState): boolean {
  if (action === 'create') return form.placement === 'frames'
  return action === 'restyle' || action === 'vary' || action === 'expand'
}

function takesTransparency(action: ActionId): boolean {
  return action === 'create' || action === 'restyle' || action === 'vary'
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

function ModelAndQuality({ form, update, catalog, model }: ActionPanelProps) {
  return (
    <div class={styles.columns}>
      <div>
        <div class={styles.label}>Model</div>
        <Dropdown
          value={model?.id ?? null}
          placeholder="Loading models…"
          role="button"
          aria-haspopup="listbox"
          aria-label={model ? `Model: ${model.label}` : 'Model'}
          options={catalog.map((entry) => ({
            value: entry.id,
            text: `${entry.label} · ${entry.prices.low}–${entry.prices.high} credits${entry.provider === 'preview' ? ' · offline preview' : ''}`,
          }))}
          onValueChange={(modelId) => update({ modelId })}
        />
      </div>
      <fieldset class={styles.fieldset}>
        <legend class={styles.label}>Quality</legend>
        <SegmentedControl
          {...radioGroupName('quality')}
          value={form.quality}
          onValueChange={(quality) => update({ quality: quality as Quality })}
          options={QUALITIES.map((quality) => ({
            value: quality,
            children: quality[0].toUpperCase() + quality.slice(1),
          }))}
        />
      </fieldset>
    </div>
  )
}

function CountAndTransparency({ action, form, update }: ActionPanelProps) {
  const count = takesCount(action, form)
  const transparency = takesTransparency(action)
  if (!count && !transparency) return null
  return (
    <div class={styles.spread}>
      {count && (
        <fieldset class={`${styles.fieldset} ${styles.inline}`}>
          <legend class={styles.inlineLabel}>Images</legend>
          <SegmentedControl
            {...radioGroupName('images')}
            value={String(form.n)}
            onValueChange={(n) => update({ n: Number(n) })}
            options={VARIATION_COUNTS.map((value) => ({ value: String(value) }))}
          />
        </fieldset>
      )}
      {transparency && (
        <Checkbox value={form.transparent} onValueChange={(transparent) => update({ transparent })}>
          <Text>Transparent background</Text>
        </Checkbox>
      )}
    </div>
  )
}

/** What to do and how: the action, its layers and its options. The prompt sits below, by Generate. */
export function ActionPanel(props: ActionPanelProps) {
  const { action, form, update, busy } = props
  const usesSources = action !== 'create' || form.placement === 'fill'
  return (
    <div class={styles.body} data-scroll>
      <div>
        <ActionPicker
          value={action}
          disabled={busy}
          onChange={(chosen) =>
            update({ action: chosen, n: chosen === 'vary' ? Math.max(form.n, 2) : form.n })
          }
        />
        <div class={styles.muted} style={{ marginTop: 6 }} data-testid="action-hint">
          {actionById(action).hint}
        </div>
      </div>
      {usesSources && <Sources {...props} />}
      <ActionOptions
        action={action}
        form={form}
        update={update}
        suggestedRatio={props.suggestedRatio}
        busy={busy}
      />
      <ModelAndQuality {...props} />
      <CountAndTransparency {...props} />
    </div>
  )
}
