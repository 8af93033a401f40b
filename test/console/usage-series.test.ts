import { describe, expect, it } from 'vitest'
import { dailySeries, lastDays, niceCeiling } from '../../proxy-worker/console/usage-series'

const rows = [
  { day: '2026-11-30', user_id: 'u_a', name: 'Ada', credits: 12, images: 2 },
  { day: '2026-11-30', user_id: 'u_g', name: 'Grace', credits: 6, images: 1 },
  { day: '2026-12-01', user_id: 'u_a', name: 'Ada', credits: 4, images: 2 },
  { day: '2026-10-01', user_id: 'u_a', name: 'Ada', credits: 99, images: 9 },
]

describe('the usage chart’s numbers', () => {
  it('has every day of the span, in order, empty days at 0, and only the chosen user', () => {
    expect(dailySeries(rows, '2026-11-29', '2026-12-01')).toEqual([
      { day: '2026-11-29', credits: 0, images: 0 },
      { day: '2026-11-30', credits: 18, images: 3 },
      { day: '2026-12-01', credits: 4, images: 2 },
    ])
    expect(dailySeries(rows, '2026-11-30', '2026-11-30', 'u_g')).toEqual([
      { day: '2026-11-30', credits: 6, images: 1 },
    ])
  })

  it('spans the last 30 days up to today, across a month end', () => {
    expect(lastDays(30, Date.parse('2026-12-01T08:00:00Z'))).toEqual({
      from: '2026-11-02',
      to: '2026-12-01',
    })
    expect(dailySeries([], ...(Object.values(lastDays(30)) as [string, string]))).toHaveLength(30)
  })

  it('scales to a round number at or above the highest bar', () => {
    expect([0, 1, 3, 7, 10, 11, 240, 501].map(niceCeiling)).toEqual([
      1, 1, 5, 10, 10, 20, 500, 1000,
    ])
  })
})
