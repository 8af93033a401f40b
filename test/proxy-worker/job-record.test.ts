import { describe, expect, it } from 'vitest'
import {
  imagesToList,
  imagesToRecord,
  type JobRow,
  withImages,
} from '../../proxy-worker/src/accounts/job-record'
import type { GeneratedImage } from '../../shared'

const image = (index: number, id = `img_${index}`): GeneratedImage => ({
  id,
  index,
  url: `https://worker.test/v1/images/${id}`,
  width: 1024,
  height: 1024,
  mime_type: 'image/png',
  bytes: 100,
  preview: false,
})

function job(fields: Partial<JobRow> & { listed?: GeneratedImage[] }): JobRow {
  const { listed = [], ...rest } = fields
  return {
    request_id: 'r1',
    state: 'running',
    created_at: '',
    updated_at: '',
    model: 'gpt-image-2',
    provider: 'kie',
    size: '1024x1024',
    quality: 'low',
    requested: 2,
    images: JSON.stringify(listed),
    delivered: listed.length,
    charged: null,
    refunded: null,
    error: null,
    accepted: 1,
    client_left: 1,
    held: 4,
    price: 2,
    until: 0,
    ...rest,
  }
}

describe('imagesToRecord', () => {
  it('takes one image per place while the job runs; a second for a place is a copy', () => {
    const running = job({ listed: [image(0)] })
    const { taken, refused } = imagesToRecord(running, [image(0, 'copy'), image(1), null])
    expect(taken).toEqual([image(1), null])
    expect(refused).toEqual([image(0, 'copy')])
  })

  it('takes no image a settled job was not charged for', () => {
    // Charged for 1 of 2 (2 credits each), 1 already listed: a late image was refunded.
    const settled = job({ state: 'done', charged: 2, refunded: 2, listed: [image(0)] })
    expect(imagesToRecord(settled, [image(1)])).toEqual({ taken: [], refused: [image(1)] })
  })

  it('takes late images a job charged in full was paid for, and no more', () => {
    const billed = job({ state: 'stopped', charged: 4, refunded: 0, listed: [image(0)] })
    expect(imagesToRecord(billed, [image(1), image(2)])).toEqual({
      taken: [image(1)],
      refused: [image(2)],
    })
  })
})

describe('imagesToList', () => {
  it('lists images an answer was to carry, one per place, no more than were delivered', () => {
    // Two delivered in the answer alone (counted, not listed), settled and charged for both.
    const answered = job({ state: 'done', charged: 4, refunded: 0, delivered: 2 })
    expect(imagesToList(answered, [image(1), image(0), image(0, 'copy')])).toEqual({
      taken: [image(1), image(0)],
      refused: [image(0, 'copy')],
    })
  })

  it('refuses images beyond those delivered, and passes over one already listed', () => {
    // Of two asked, one delivered, in the answer: a second image was never charged.
    const one = job({ state: 'done', charged: 2, refunded: 2, delivered: 1 })
    expect(imagesToList(one, [image(0), image(1)])).toEqual({
      taken: [image(0)],
      refused: [image(1)],
    })
    const listed = job({ state: 'done', charged: 4, refunded: 0, listed: [image(0)], delivered: 2 })
    expect(imagesToList(listed, [image(0), image(1)])).toEqual({ taken: [image(1)], refused: [] })
  })
})

describe('withImages', () => {
  it('adds new images once each, in index order, and skips nulls', () => {
    const stored = JSON.stringify([image(1)])
    expect(JSON.parse(withImages(stored, [image(0), image(1), null]))).toEqual([image(0), image(1)])
  })
})
