import { h } from 'preact'
import { ACTIONS } from '../../actions/action-list'
import type { ActionId } from '../../types'
import styles from '../app.css'
import { RadioGroup } from './radio-group'

/** Every action as a clearly named choice; one tab stop, arrow keys move between them. */
export function ActionPicker(props: {
  value: ActionId
  onChange: (action: ActionId) => void
  disabled?: boolean
}) {
  return (
    <RadioGroup
      label="Action"
      class={styles.actions}
      optionClass={styles.action}
      value={props.value}
      disabled={props.disabled}
      onChange={props.onChange}
      testId="actions"
      options={ACTIONS.map((action) => ({ value: action.id, label: action.label }))}
    />
  )
}
