import { describe, expect, it } from 'vitest'
import { settleLimited } from '../../../plugin/utilities/settle-limited'

const tick = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

describe('settleLimited', () => {
  it('runs at most the limit at once, every item once, and settles in the items’ order', async () => {
    let running = 0
    let most = 0
    const started: number[] = []
    const outcomes = await settleLimited(
      Array.from({ length: 10 }, (_, i) => i),
      3,
      new AbortController().signal,
      async (item) => {
        started.push(item)
        running++
        most = Math.max(most, running)
        await tick(item % 3 === 0 ? 15 : 5)
        running--
        if (item === 4) throw new Error('four failed')
        return item * 10
      },
    )
    expect(most).toBe(3)
    expect(started).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
    expect(
      outcomes.map((outcome) => (outcome.status === 'fulfilled' ? outcome.value : 'x')),
    ).toEqual([0, 10, 20, 30, 'x', 50, 60, 70, 80, 90])
  })

  it('starts no item whose turn comes after the signal aborted', async () => {
    const controller = new AbortController()
    const started: number[] = []
    const outcomes = await settleLimited([1, 2, 3, 4], 2, controller.signal, async (item) => {
      started.push(item)
      await tick(5)
      controller.abort()
      return item
    })
    expect(started).toEqual([1, 2])
    expect(outcomes.map((outcome) => outcome.status)).toEqual([
      'fulfilled',
      'fulfilled',
      'rejected',
      'rejected',
    ])
  })
})
