import { emit } from '@create-figma-plugin/utilities'
import { type Inputs, useEffect, useRef } from 'preact/hooks'
import type { SaveDraftHandler, SavePreferencesHandler } from '../events'
import { effectivePrompt, type FormState } from '../utilities/form-state'
import { preferencesOf } from '../utilities/remembered-form'

/** Long enough to write once per pause in typing, short enough to survive a quick close. */
const DRAFT_PAUSE_MS = 400

/** An effect for changes only: not for the values the plugin opened with. */
function useOnChange(effect: () => (() => void) | undefined, inputs: Inputs) {
  const opening = useRef(true)
  useEffect(() => {
    if (opening.current) {
      opening.current = false
      return
    }
    return effect()
  }, inputs)
}

/**
 * Keeps the designer's choices for the next open (per user, on this computer) and the prompt with
 * the file. Nothing is written on open: only what the designer changes.
 */
export function useRemembered(form: FormState) {
  const preferences = JSON.stringify(preferencesOf(form))
  const draft = effectivePrompt(form)
  useOnChange(() => {
    emit<SavePreferencesHandler>('SAVE_PREFERENCES', JSON.parse(preferences))
    return undefined
  }, [preferences])
  useOnChange(() => {
    const timer = setTimeout(() => emit<SaveDraftHandler>('SAVE_DRAFT', draft), DRAFT_PAUSE_MS)
    return () => clearTimeout(timer)
  }, [draft])
}
