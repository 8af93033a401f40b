import { expect, it } from 'vitest'
import { PREVIEW_MAX_SIDE, previewScale } from '../../../plugin/ui/preview-bytes'

it('shrinks partial previews to 512 px on their longest side, and never enlarges them', () => {
  expect(PREVIEW_MAX_SIDE).toBe(512)
  expect(previewScale(3840, 2160) * 3840).toBe(512)
  expect(previewScale(1024, 1536) * 1536).toBe(512)
  expect(previewScale(128, 72)).toBe(1)
})
