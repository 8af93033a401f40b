import { Checkbox, SegmentedControl, Text } from '@create-figma-plugin/ui'
import { h } from 'preact'
import type { AspectRatio } from '../../../shared'
import type { ActionId } from '../../types'
import { KEEP_FIXED_OPTIONS, type KeepFixed } from '../../utilities/build-prompt'
import { EXPAND_ANCHORS, type ExpandAnchor } from '../../utilities/expand-canvas'
import type { FormState } from '../../utilities/form-state'
import styles from '../app.css'
import { AspectRatioPicker } from './aspect-ratio-picker'
import { radioGroupName } from './radio-group-name'

export interface OptionsProps {
  action: ActionId
  form: FormState
  update: (patch: Partial<FormState>) => void
  suggestedRatio: AspectRatio | null
  busy: boolean
}

const MARGINS = [
  { value: '0.1', children: '10%' },
  { value: '0.25', children: '25%' },
  { value: '0.5', children: '50%' },
]

const ANCHOR_LABELS: Record<ExpandAnchor, string> = {
  center: 'Centre',
  left: 'Left',
  right: 'Right',
  top: 'Top',
  bottom: 'Bottom',
}

function KeepFixedToggles({ form, update }: Pick<OptionsProps, 'form' | 'update'>) {
  const toggle = (key: KeepFixed, on: boolean) =>
    update({
      keepFixed: on ? [...form.keepFixed, key] : form.keepFixed.filter((item) => item !== key),
    })
  return (
    <fieldset class={styles.fieldset}>
      <legend class={styles.label}>Keep fixed</legend>
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
    </fieldset>
  )
}

function Ratio(props: OptionsProps & { label?: string; field: 'ratio' | 'expandRatio' }) {
  return (
    <AspectRatioPicker
      label={props.label}
      value={props.form[props.field]}
      suggested={props.suggestedRatio}
      disabled={props.busy}
      onChange={(ratio) => props.update({ [props.field]: ratio })}
    />
  )
}

/** What each action lets the designer choose beyond the prompt, model and quality. */
export function ActionOptions(props: OptionsProps) {
  const { action, form, update } = props
  if (action === 'create') {
    return (
      <div class={styles.stack}>
        <SegmentedControl
          {...radioGroupName('placement')}
          value={form.placement}
          onValueChange={(placement) => update({ placement: placement as FormState['placement'] })}
          options={[
            { value: 'frames', children: 'New frames' },
            { value: 'fill', children: 'Fill selected layers' },
          ]}
        />
        {form.placement === 'frames' ? (
          <Ratio {...props} field="ratio" />
        ) : (
          <div class={styles.muted}>
            Each selected layer gets an image in its own shape, in its fill.
          </div>
        )}
      </div>
    )
  }
  if (action === 'restyle') {
    return (
      <div class={styles.stack}>
        <SegmentedControl
          {...radioGroupName('restyle-layers')}
          value={form.combine ? 'combine' : 'each'}
          onValueChange={(value) => update({ combine: value === 'combine' })}
          options={[
            { value: 'each', children: 'Each layer' },
            { value: 'combine', children: 'Combine into one' },
          ]}
        />
        {form.combine && <Ratio {...props} field="ratio" />}
        <KeepFixedToggles form={form} update={update} />
      </div>
    )
  }
  if (action === 'expand') {
    return (
      <div class={styles.stack}>
        <SegmentedControl
          {...radioGroupName('expand-by')}
          value={form.expandBy}
          onValueChange={(value) => update({ expandBy: value as FormState['expandBy'] })}
          options={[
            { value: 'ratio', children: 'To a ratio' },
            { value: 'margin', children: 'By a margin' },
          ]}
        />
        {form.expandBy === 'ratio' ? (
          <Ratio {...props} field="expandRatio" label="Expand to" />
        ) : (
          <SegmentedControl
            {...radioGroupName('expand-margin')}
            value={String(form.expandMargin)}
            onValueChange={(value) => update({ expandMargin: Number(value) })}
            options={MARGINS}
          />
        )}
        <div>
          <div class={styles.label}>Keep the original</div>
          <SegmentedControl
            {...radioGroupName('expand-anchor')}
            value={form.expandAnchor}
            onValueChange={(value) => update({ expandAnchor: value as ExpandAnchor })}
            options={EXPAND_ANCHORS.map((anchor) => ({
              value: anchor,
              children: ANCHOR_LABELS[anchor],
            }))}
          />
        </div>
      </div>
    )
  }
  return null
}
