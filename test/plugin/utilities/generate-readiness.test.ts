import { describe, expect, it } from 'vitest'
import type { SelectionItem } from '../../../plugin/types'

import {
  DEFAULT_FORM,
  type FormState,
  switchStructured,
} from '../../../plugin/utilities/form-state'
import {
  generateReadiness,
  type ReadinessInput,
} from '../../../plugin/utilities/generate-readiness'
import { catalogModel } from '../fixtures'

const frame: SelectionItem = {
  id: '1:2',
  name: 'Landing hero',
  type: 'FRAME',
  role: 'frame',
  x: 0,
  y: 0,
  width: 1440,
  height: 900,
  fillable: true,
  provenance: null,
  thumbnail: null,
}

const ready = (patch: Partial<ReadinessInput> = {}, form: Partial<FormState> = {}) =>
  generateReadiness({
    form: { ...DEFAULT_FORM, prompt: 'a lighthouse at dusk', ...form },
    model: catalogModel(),
    candidates: [],
    hasToken: true,
    connection: { state: 'ready' },
    balance: 100,
    markAiGenerated: false,
    ...patch,
  })

describe('whether Generate can run, and why not', () => {
  it('runs, and says what it makes and what that costs', () => {
    expect(ready({}, { n: 3 })).toMatchObject({ reason: null, label: 'Generate 3 · 18 credits' })
  })

  it('gives one reason at a time, the first thing to fix first', () => {
    expect(ready({ hasToken: false }).reason).toBe('Add your token in Settings to start.')
    expect(
      ready({ connection: { state: 'failed', message: 'Your token was not accepted.' } }).reason,
    ).toBe('Your token was not accepted.')
    expect(ready({ connection: { state: 'checking' } }).reason).toBe('Connecting…')
    expect(ready({}, { prompt: '' }).reason).toBe('Describe the image you want first.')
    expect(ready({}, { prompt: 'x'.repeat(20_001) }).reason).toContain('too long')
    expect(ready({ balance: 10 }, { n: 2 }).reason).toContain(
      'needs 12 credits and you have 10 credits',
    )
  })

  it('never offers a generation that would make nothing for 0 credits', () => {
    // Filling selected layers with nothing selected that can be filled.
    const readiness = ready({ candidates: [] }, { placement: 'fill' })
    expect(readiness.reason).not.toBeNull()
    expect(readiness.label).toBe('Generate')
    expect(ready({ candidates: [frame] }, { placement: 'fill' })).toMatchObject({
      reason: null,
      label: 'Generate 1 · 6 credits',
    })
  })

  it('keeps the button label and cost visible while the balance is short', () => {
    expect(ready({ balance: 4 })).toMatchObject({ label: 'Generate 1 · 6 credits' })
  })
})

describe('structured fields', () => {
  it('start from the prompt already written, and give their words back when turned off', () => {
    const on = switchStructured({ ...DEFAULT_FORM, prompt: 'a red kite over dunes' }, true)
    expect(on.fields?.subject).toBe('a red kite over dunes')
    const filled = { ...DEFAULT_FORM, ...on, fields: { ...on.fields!, style: 'watercolour' } }
    const off = switchStructured(filled, false)
    expect(off.prompt).toContain('a red kite over dunes')
    expect(off.prompt).toContain('watercolour')
  })

  it('keep fields already filled in', () => {
    const fields = { ...DEFAULT_FORM.fields, mood: 'calm' }
    expect(switchStructured({ ...DEFAULT_FORM, prompt: 'x', fields }, true).fields).toEqual(fields)
  })
})
