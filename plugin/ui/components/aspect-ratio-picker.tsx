import { h } from 'preact'
import { useState } from 'preact/hooks'
import { ASPECT_RATIOS, type AspectRatio, ratioOf } from '../../../shared'
import styles from '../app.css'
import { RadioGroup } from './radio-group'

const SHAPE_BOX = 14
/** The shapes designers reach for most; the rest are one click away. */
export const COMMON_RATIOS: AspectRatio[] = ['1:1', '4:5', '3:2', '16:9', '9:16']

function Shape({ ratio }: { ratio: AspectRatio }) {
  const { width, height } = ratioOf(ratio)
  const scale = SHAPE_BOX / Math.max(width, height)
  return (
    <span
      class={styles.shape}
      style={{ width: `${width * scale}px`, height: `${height * scale}px` }}
    />
  )
}

/**
 * The common ratios in one row, plus the selection's own ratio when there is one; "More" shows the
 * rest. One tab stop; arrow keys move between ratios.
 */
export function AspectRatioPicker(props: {
  value: AspectRatio
  onChange: (ratio: AspectRatio) => void
  /** The selection's own ratio, offered beside the common ones. */
  suggested?: AspectRatio | null
  label?: string
  disabled?: boolean
}) {
  const shown = [...COMMON_RATIOS]
  if (props.suggested && !shown.includes(props.suggested)) shown.push(props.suggested)
  const [more, setMore] = useState(!shown.includes(props.value))
  const ratios = more ? [...ASPECT_RATIOS] : shown
  if (!ratios.includes(props.value)) ratios.push(props.value)
  return (
    <div class={styles.ratioRow}>
      <RadioGroup
        label={props.label ?? 'Aspect ratio'}
        class={styles.ratios}
        optionClass={styles.ratio}
        value={props.value}
        disabled={props.disabled}
        onChange={props.onChange}
        options={ratios.map((ratio) => ({
          value: ratio,
          label: ratio === props.suggested ? `${ratio} (selection)` : ratio,
          children: (
            <span class={styles.ratioInner} data-ratio={ratio}>
              <Shape ratio={ratio} />
              {ratio}
            </span>
          ),
        }))}
      />
      <button type="button" class={styles.linkButton} onClick={() => setMore(!more)}>
        {more ? 'Fewer' : 'More'}
      </button>
    </div>
  )
}
