import { describe, expect, it } from 'vitest'
import type { SelectionItem } from '../../../plugin/types'
import {
  type GenerationForm,
  planGeneration,
  planProblem,
} from '../../../plugin/utilities/plan-generation'
import { catalogModel } from '../fixtures'

const form = (patch: Partial<GenerationForm> = {}): GenerationForm => ({
  mode: 'create',
  placement: 'frames',
  prompt: 'a lighthouse at dusk',
  model: catalogModel(),
  size: '16:9',
  quality: 'medium',
  n: 3,
  background: 'auto',
  keepFixed: [],
  markAiGenerated: false,
  ...patch,
})

const layer = (id: string, width: number, height: number, fillable = true): SelectionItem => ({
  id,
  name: `Layer ${id}`,
  type: 'FRAME',
  width,
  height,
  fillable,
  thumbnail: null,
})

describe('planGeneration', () => {
  it('makes one request for n images into n frames of the chosen ratio', () => {
    const plan = planGeneration('job', form(), [])
    expect(plan.requests).toEqual([
      {
        firstSlot: 0,
        referenceNodeIds: [],
        body: {
          prompt: 'a lighthouse at dusk',
          model: 'gpt-image-2',
          quality: 'medium',
          background: 'auto',
          output_format: 'png',
          n: 3,
          size: '16:9',
        },
      },
    ])
    expect(plan.placement.slots).toHaveLength(3)
    expect(plan.placement.slots[0]).toEqual({
      width: 1920,
      height: 1080,
      name: 'a lighthouse at dusk 1',
    })
    expect(plan.cost).toBe(18)
  })

  it('restyles with the selected layers as references and the keep-fixed constraints', () => {
    const plan = planGeneration('job', form({ mode: 'restyle', keepFixed: ['layout'] }), [
      layer('1:2', 400, 300),
      layer('1:3', 200, 200),
    ])
    expect(plan.requests[0].referenceNodeIds).toEqual(['1:2', '1:3'])
    expect(plan.requests[0].body.prompt).toContain('the layout and the position of every element')
  })

  it('fills each selected layer at its own shape, one image each, restyling each from itself', () => {
    const plan = planGeneration(
      'job',
      form({ mode: 'restyle', placement: 'fill', quality: 'high' }),
      [layer('1:2', 375, 812), layer('1:3', 1440, 900), layer('1:4', 10, 10, false)],
    )
    expect(plan.placement.mode).toBe('fill')
    expect(plan.placement.slots.map((slot) => slot.targetNodeId)).toEqual(['1:2', '1:3'])
    expect(
      plan.requests.map((request) => [request.firstSlot, request.body.n, request.referenceNodeIds]),
    ).toEqual([
      [0, 1, ['1:2']],
      [1, 1, ['1:3']],
    ])
    expect(plan.requests[1].body.size).toBe('1632x1024')
    expect(plan.cost).toBe(24)
  })

  it('says what is missing before anything is sent', () => {
    expect(planProblem(form({ prompt: '  ' }), [])).toContain('Describe')
    expect(planProblem(form({ mode: 'restyle' }), [])).toContain('Select the frames')
    expect(planProblem(form({ placement: 'fill' }), [layer('1', 10, 10, false)])).toContain(
      'Select the layers to fill',
    )
    expect(planProblem(form(), [])).toBeNull()
  })
})
