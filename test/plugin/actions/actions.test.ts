import { describe, expect, it } from 'vitest'
import { actionProblem, defaultAction, planAction } from '../../../plugin/actions/action-list'
import type { ActionForm } from '../../../plugin/actions/action-plan'
import type { ActionId, SelectionItem } from '../../../plugin/types'
import { catalogModel } from '../fixtures'

const form = (action: ActionId, patch: Partial<ActionForm> = {}): ActionForm => ({
  action,
  prompt: 'a lighthouse at dusk',
  model: catalogModel(),
  ratio: '16:9',
  quality: 'medium',
  n: 1,
  transparent: false,
  keepFixed: [],
  placement: 'frames',
  combine: false,
  expand: { target: { ratio: '16:9' }, anchor: 'center' },
  markAiGenerated: false,
  ...patch,
})

const layer = (
  id: string,
  role: SelectionItem['role'],
  rect: [number, number, number, number],
  patch: Partial<SelectionItem> = {},
): SelectionItem => ({
  id,
  name: `Layer ${id}`,
  type: role === 'shape' ? 'ELLIPSE' : 'FRAME',
  role,
  x: rect[0],
  y: rect[1],
  width: rect[2],
  height: rect[3],
  fillable: role !== 'other',
  provenance: null,
  thumbnail: null,
  ...patch,
})

const hero = layer('hero', 'frame', [0, 0, 1440, 900])
const phone = layer('phone', 'frame', [1600, 0, 390, 844])
const photo = layer('photo', 'image', [0, 1000, 800, 600])
const area = layer('area', 'shape', [300, 1150, 200, 150])

describe('choosing an action', () => {
  it('restyles by default when something is selected, and creates otherwise', () => {
    expect(defaultAction([hero])).toBe('restyle')
    expect(defaultAction([])).toBe('create')
  })
})

describe('create', () => {
  it('makes one request for n images into n frames of the chosen ratio', () => {
    const plan = planAction('job', form('create', { n: 3 }), [])
    expect(plan.requests).toHaveLength(1)
    expect(plan.requests[0]).toMatchObject({
      body: { n: 3, size: '16:9' },
      input: { kind: 'none' },
    })
    expect(plan.placement.slots).toHaveLength(3)
    expect(plan.placement.slots[0]).toEqual({
      kind: 'block',
      width: 1920,
      height: 1080,
      name: 'a lighthouse at dusk 1',
    })
    expect(plan.cost).toBe(18)
  })

  it('fills each selected layer with an image of its own shape', () => {
    const plan = planAction('job', form('create', { placement: 'fill' }), [phone, area])
    expect(plan.placement.slots.map((slot) => slot.kind)).toEqual(['fill', 'fill'])
    expect(plan.requests[0].body.size).toMatch(/^\d+x\d+$/)
    expect(plan.cost).toBe(12)
  })

  it('needs a prompt', () => {
    expect(actionProblem(form('create', { prompt: ' ' }), [])).toBe(
      'Describe the image you want first.',
    )
    expect(actionProblem(form('restyle', { prompt: '' }), [hero])).toBe(
      'Describe what should change first.',
    )
  })
})

describe('restyle', () => {
  it('makes one request per layer, each with that layer as reference, at its own shape', () => {
    const plan = planAction('job', form('restyle', { n: 2 }), [hero, phone])
    expect(plan.requests.map((request) => request.input)).toEqual([
      { kind: 'references', nodeIds: ['hero'] },
      { kind: 'references', nodeIds: ['phone'] },
    ])
    expect(plan.requests.map((request) => request.firstSlot)).toEqual([0, 2])
    const [heroSize, phoneSize] = plan.requests.map((request) =>
      String(request.body.size).split('x').map(Number),
    )
    expect(heroSize[0] / heroSize[1]).toBeCloseTo(1440 / 900, 1)
    expect(phoneSize[0] / phoneSize[1]).toBeCloseTo(390 / 844, 1)
    expect(plan.placement.slots).toEqual([
      {
        kind: 'beside',
        width: 1440,
        height: 900,
        sourceNodeId: 'hero',
        name: 'Layer hero · restyled 1',
      },
      {
        kind: 'beside',
        width: 1440,
        height: 900,
        sourceNodeId: 'hero',
        name: 'Layer hero · restyled 2',
      },
      {
        kind: 'beside',
        width: 390,
        height: 844,
        sourceNodeId: 'phone',
        name: 'Layer phone · restyled 1',
      },
      {
        kind: 'beside',
        width: 390,
        height: 844,
        sourceNodeId: 'phone',
        name: 'Layer phone · restyled 2',
      },
    ])
    expect(plan.cost).toBe(24)
  })

  it('combined, uses every layer as a reference for one set of images at the chosen ratio', () => {
    const plan = planAction('job', form('restyle', { combine: true, n: 2 }), [hero, phone])
    expect(plan.requests).toHaveLength(1)
    expect(plan.requests[0].input).toEqual({ kind: 'references', nodeIds: ['hero', 'phone'] })
    expect(plan.placement.slots.every((slot) => slot.kind === 'block')).toBe(true)
    expect(plan.cost).toBe(12)
  })

  it('adds what must stay fixed to the prompt', () => {
    const plan = planAction('job', form('restyle', { keepFixed: ['layout'] }), [hero])
    expect(plan.requests[0].body.prompt).toContain('Keep fixed, unchanged from the reference')
  })

  it('asks for something to restyle', () => {
    expect(actionProblem(form('restyle'), [])).toBe('Select the frames or images to restyle.')
  })
})

describe('edit area', () => {
  it('edits the image under the shapes over it, placed over it, hiding the shapes', () => {
    const plan = planAction('job', form('edit-area'), [photo, area])
    expect(plan.requests[0].input).toEqual({
      kind: 'edit-area',
      imageNodeId: 'photo',
      shapeNodeIds: ['area'],
    })
    expect(plan.placement.slots).toEqual([
      { kind: 'over', sourceNodeId: 'photo', hideNodeIds: ['area'], name: 'Layer photo · edited' },
    ])
    expect(plan.cost).toBe(6)
  })

  it('says what is missing: the image, the shapes, shapes over the image, a mask-capable service', () => {
    expect(actionProblem(form('edit-area'), [area])).toContain('Select an image')
    expect(actionProblem(form('edit-area'), [photo])).toContain('Draw a shape')
    expect(actionProblem(form('edit-area'), [photo, hero, area])).toContain('Select one image')
    const away = layer('away', 'shape', [5000, 5000, 10, 10])
    expect(actionProblem(form('edit-area'), [photo, away])).toContain('not over the image')
    const noMasks = { ...catalogModel(), masks: false }
    expect(actionProblem(form('edit-area', { model: noMasks }), [photo, area])).toContain(
      'cannot edit an area',
    )
    expect(actionProblem(form('edit-area', { prompt: '' }), [photo, area])).toBe(
      'Describe what should be in the area.',
    )
  })
})

describe('expand', () => {
  it('places a frame of the expanded shape beside each original', () => {
    const plan = planAction('job', form('expand'), [photo])
    expect(plan.placement.slots).toEqual([
      {
        kind: 'beside',
        width: 1067,
        height: 600,
        sourceNodeId: 'photo',
        name: 'Layer photo · expanded',
      },
    ])
    expect(plan.requests[0].input).toEqual({
      kind: 'expand',
      nodeId: 'photo',
      target: { ratio: '16:9' },
      anchor: 'center',
    })
  })

  it('refuses a ratio the layer already has, or one past 3:1', () => {
    expect(
      actionProblem(form('expand', { expand: { target: { ratio: '4:3' }, anchor: 'center' } }), [
        photo,
      ]),
    ).toContain('already has that shape')
    const wide = layer('wide', 'image', [0, 0, 2400, 900])
    expect(
      actionProblem(form('expand', { expand: { target: { ratio: '3:1' }, anchor: 'left' } }), [
        wide,
      ]),
    ).toBeNull()
    expect(
      actionProblem(form('expand', { expand: { target: { margin: 0.5 }, anchor: 'center' } }), [
        layer('long', 'image', [0, 0, 2900, 1000]),
      ]),
    ).toBeNull()
  })

  it('runs without a prompt, with its own instruction', () => {
    expect(actionProblem(form('expand', { prompt: '' }), [photo])).toBeNull()
    const plan = planAction('job', form('expand', { prompt: '' }), [photo])
    expect(plan.requests[0].body.prompt).toContain('Extend this image')
  })
})

describe('remove background', () => {
  it('asks for transparency and places the cut-out over the original, which it hides', () => {
    const plan = planAction('job', form('remove-background', { prompt: '' }), [photo])
    expect(plan.requests[0].body).toMatchObject({ background: 'transparent', n: 1 })
    expect(plan.placement.slots).toEqual([
      {
        kind: 'over',
        sourceNodeId: 'photo',
        hideNodeIds: ['photo'],
        name: 'Layer photo · cut out',
      },
    ])
  })

  it('says so before anything runs when the service cannot make transparency', () => {
    const opaqueOnly = { ...catalogModel(), transparency: false }
    expect(actionProblem(form('remove-background', { model: opaqueOnly }), [photo])).toContain(
      'cannot make transparency',
    )
    expect(actionProblem(form('remove-background'), [hero])).toContain('Select the image')
  })
})

describe('vary', () => {
  it('uses the layer as its reference and its stored prompt, with variations beside it', () => {
    const generated = layer('gen', 'image', [0, 0, 1920, 1080], {
      provenance: {
        prompt: 'a red kite',
        model: 'gpt-image-2',
        size: '16:9',
        quality: 'high',
        requestId: 'r',
        provider: 'preview',
        preview: true,
      },
    })
    const plan = planAction('job', form('vary', { prompt: '', n: 2 }), [generated])
    expect(plan.requests[0].input).toEqual({ kind: 'references', nodeIds: ['gen'] })
    expect(plan.requests[0].body.prompt).toContain('a red kite')
    expect(plan.placement.slots.map((slot) => slot.kind)).toEqual(['beside', 'beside'])
    expect(plan.cost).toBe(12)
  })
})
