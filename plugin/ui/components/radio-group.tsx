import type { ComponentChildren } from 'preact'
import { h } from 'preact'
import { useRef } from 'preact/hooks'

export interface RadioOption<T extends string> {
  value: T
  label: string
  children?: ComponentChildren
}

const NEXT = ['ArrowRight', 'ArrowDown']
const PREVIOUS = ['ArrowLeft', 'ArrowUp']

/**
 * One tab stop for a set of choices; arrow keys move between them and choose, as in a native radio
 * group. Each option is a button with role="radio", so it has an accessible name and a focus ring.
 */
export function RadioGroup<T extends string>(props: {
  label: string
  options: RadioOption<T>[]
  value: T | null
  onChange: (value: T) => void
  class?: string
  optionClass?: string
  disabled?: boolean
  testId?: string
}) {
  const group = useRef<HTMLDivElement>(null)
  const current = props.options.findIndex((option) => option.value === props.value)
  const focusable = current === -1 ? 0 : current
  const move = (event: KeyboardEvent, index: number) => {
    const step = NEXT.includes(event.key) ? 1 : PREVIOUS.includes(event.key) ? -1 : 0
    if (step === 0) return
    event.preventDefault()
    const next = (index + step + props.options.length) % props.options.length
    props.onChange(props.options[next].value)
    group.current?.querySelectorAll<HTMLButtonElement>('[role="radio"]')[next]?.focus()
  }
  return (
    <div
      ref={group}
      role="radiogroup"
      aria-label={props.label}
      class={props.class}
      data-testid={props.testId}
    >
      {props.options.map((option, index) => (
        // biome-ignore lint/a11y/useSemanticElements: tiles with roving focus, as ARIA's radio group pattern describes
        <button
          key={option.value}
          type="button"
          role="radio"
          aria-checked={option.value === props.value}
          aria-label={option.children ? option.label : undefined}
          tabIndex={index === focusable ? 0 : -1}
          disabled={props.disabled}
          class={props.optionClass}
          data-value={option.value}
          onClick={() => props.onChange(option.value)}
          onKeyDown={(event) => move(event, index)}
        >
          {option.children ?? option.label}
        </button>
      ))}
    </div>
  )
}
