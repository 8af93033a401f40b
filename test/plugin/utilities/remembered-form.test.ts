import { describe, expect, it } from 'vitest'
import { DEFAULT_FORM, type FormState } from '../../../plugin/utilities/form-state'
import {
  initialForm,
  preferencesOf,
  restorePreferences,
} from '../../../plugin/utilities/remembered-form'

const provenance = {
  prompt: 'a fox',
  model: 'gpt-image-2' as const,
  size: '1824x1024',
  quality: 'high' as const,
  requestId: 'r',
  provider: 'preview' as const,
  preview: true,
}

const chosen: FormState = {
  ...DEFAULT_FORM,
  action: 'restyle',
  combine: true,
  prompt: 'not a preference',
  modelId: 'gpt-image-1.5',
  ratio: '9:16',
  quality: 'low',
  n: 3,
  transparent: true,
  keepFixed: ['layout', 'colours'],
  expandBy: 'margin',
  expandMargin: 0.5,
  expandAnchor: 'left',
  removed: ['1:2'],
}

describe('remembered choices', () => {
  it('restores every choice it saved, and neither the prompt nor the layers', () => {
    const saved = structuredClone(preferencesOf(chosen))
    expect(saved).not.toHaveProperty('prompt')
    expect(saved).not.toHaveProperty('removed')
    const form = initialForm({ preferences: saved, draft: '', relaunch: null })
    expect(form).toEqual({ ...chosen, prompt: '', removed: [] })
  })

  it('brings back the prompt draft of the file', () => {
    expect(initialForm({ preferences: null, draft: 'a lighthouse', relaunch: null })).toEqual({
      ...DEFAULT_FORM,
      prompt: 'a lighthouse',
    })
  })

  it('keeps what is still valid from an old or damaged record, field by field', () => {
    expect(
      restorePreferences({
        action: 'paint',
        ratio: '7:3',
        quality: 'ultra',
        n: 12,
        keepFixed: ['layout', 'weather', 3],
        expandMargin: 0.3,
        transparent: 'yes',
        placement: 'fill',
        expandRatio: '21:9',
      }),
    ).toEqual({ keepFixed: ['layout'], placement: 'fill', expandRatio: '21:9' })
    for (const junk of [null, undefined, 'x', 3, []]) expect(restorePreferences(junk)).toEqual({})
  })

  it('keeps "follow the selection" as a choice of its own', () => {
    expect(restorePreferences({ action: null })).toEqual({ action: null })
  })
})

describe('relaunch', () => {
  it('opens Vary on the layer with two variations, its prompt, shape and quality', () => {
    expect(
      initialForm({ relaunch: { command: 'vary', provenance }, preferences: null, draft: '' }),
    ).toMatchObject({ action: 'vary', prompt: 'a fox', ratio: '16:9', quality: 'high', n: 2 })
  })

  it('opens Restyle on the layer with its prompt', () => {
    expect(
      initialForm({ relaunch: { command: 'restyle', provenance }, preferences: null, draft: '' }),
    ).toMatchObject({ action: 'restyle', prompt: 'a fox' })
  })

  it('lets the layer’s own values win over the remembered ones and the draft', () => {
    const form = initialForm({
      relaunch: { command: 'vary', provenance },
      preferences: preferencesOf(chosen),
      draft: 'a lighthouse',
    })
    expect(form).toMatchObject({
      action: 'vary',
      prompt: 'a fox',
      modelId: 'gpt-image-2',
      ratio: '16:9',
      quality: 'high',
      n: 3,
      // Choices the layer does not carry stay as the designer left them.
      keepFixed: ['layout', 'colours'],
      transparent: true,
    })
  })
})
