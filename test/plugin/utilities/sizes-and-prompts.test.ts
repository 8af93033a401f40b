import { describe, expect, it } from 'vitest'
import { buildPrompt, structuredToPrompt } from '../../../plugin/utilities/build-prompt'
import { costOf, generateLabel, shortfallMessage } from '../../../plugin/utilities/cost'
import { exportedSize, referenceExportScale } from '../../../plugin/utilities/export-scale'
import { frameSizeFor, sizeForLayer } from '../../../plugin/utilities/frame-size'
import { layerName } from '../../../plugin/utilities/layer-name'
import { sizeValueProblem } from '../../../shared'
import { catalogModel } from '../fixtures'

describe('export scale for references', () => {
  it('caps a 4000 px frame at 1536 px on its longest side, never a blind 2x', () => {
    const scale = referenceExportScale(4000, 2250)
    expect(exportedSize(4000, 2250, scale)).toEqual({ width: 1536, height: 864 })
  })

  it('gives small layers at most a 2x export', () => {
    expect(referenceExportScale(200, 100)).toBe(2)
    expect(referenceExportScale(1000, 500)).toBeCloseTo(1.536)
  })
})

describe('frame sizes', () => {
  it('makes frames exactly the chosen ratio, in whole pixels', () => {
    expect(frameSizeFor('16:9')).toEqual({ width: 1920, height: 1080 })
    expect(frameSizeFor('21:9')).toEqual({ width: 2520, height: 1080 })
    expect(frameSizeFor('9:16')).toEqual({ width: 1080, height: 1920 })
    expect(frameSizeFor('1536x864')).toEqual({ width: 1536, height: 864 })
  })

  it("asks for a layer's own shape from models that take any size", () => {
    const size = sizeForLayer(375, 812, catalogModel())
    expect(sizeValueProblem(size)).toBeNull()
    const [w, h] = size.split('x').map(Number)
    expect(Math.abs(w / h - 375 / 812)).toBeLessThan(0.01)
    expect(sizeValueProblem(sizeForLayer(4000, 100, catalogModel()))).toBeNull()
  })

  it('falls back to the closest listed ratio for fixed-size models', () => {
    expect(sizeForLayer(1920, 1080, catalogModel('gpt-image-1.5'))).toBe('3:2')
  })
})

describe('prompts', () => {
  it('adds a constraint for each "keep fixed" toggle', () => {
    const prompt = buildPrompt('make it a watercolour', ['subject', 'colours'])
    expect(prompt).toContain('make it a watercolour')
    expect(prompt).toContain('the subject and any faces exactly as they are')
    expect(prompt).toContain('the colour palette')
    expect(buildPrompt('  plain  ', [])).toBe('plain')
  })

  it('builds a prompt from structured fields and keeps quoted text verbatim', () => {
    const prompt = structuredToPrompt({
      subject: 'a poster saying "Grand Opening — 9am"',
      style: 'flat vector',
      composition: '',
      lighting: '',
      mood: 'joyful',
    })
    expect(prompt).toBe(
      'Subject: a poster saying "Grand Opening — 9am"\nStyle: flat vector\nMood: joyful\nText in the image, exactly as written: "Grand Opening — 9am"',
    )
  })

  it('names layers from the prompt, with an optional AI mark', () => {
    expect(layerName('A citrus soda bottle', false)).toBe('A citrus soda bottle')
    expect(layerName('A citrus soda bottle', true, 1)).toBe('A citrus soda bottle 2 · AI-generated')
    const long = layerName('word '.repeat(40), false)
    expect(long.length).toBeLessThanOrEqual(49)
    expect(long.endsWith('…')).toBe(true)
  })
})

describe('cost', () => {
  it('shows the cost before generating and explains a shortfall', () => {
    expect(costOf(catalogModel(), 'medium', 4)).toBe(24)
    expect(generateLabel(4, 24)).toBe('Generate 4 · 24 credits')
    expect(shortfallMessage(24, 10)).toContain('needs 24 credits and you have 10 credits')
  })
})
