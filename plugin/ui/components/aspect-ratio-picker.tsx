import { h } from 'preact'
import { ASPECT_RATIOS, type AspectRatio, ratioOf } from '../../../shared'
import styles from '../app.css'

const SHAPE_BOX = 22

function Shape({ ratio }: { ratio: AspectRatio }) {
  const { width, height } = ratioOf(ratio)
  const scale = SHAPE_BOX / Math.max(width, height)
  return (
    <div
      class={styles.shape}
      style={{ width: `${width * scale}px`, height: `${height * scale}px` }}
    />
  )
}

export function AspectRatioPicker(props: {
  value: string
  onChange: (ratio: AspectRatio) => void
  disabled?: boolean
}) {
  return (
    <fieldset class={styles.ratios} aria-label="Aspect ratio">
      {ASPECT_RATIOS.map((ratio) => (
        <button
          key={ratio}
          type="button"
          class={styles.ratio}
          aria-pressed={props.value === ratio}
          disabled={props.disabled}
          data-ratio={ratio}
          onClick={() => props.onChange(ratio)}
        >
          <Shape ratio={ratio} />
          {ratio}
        </button>
      ))}
    </fieldset>
  )
}
