import { describe, expect, it } from 'vitest'
import { withIsolateLock } from '../../proxy-worker/src/accounts/isolate-lock'

describe('the isolate lock', () => {
  it('lets one holder at a time run', async () => {
    const order: string[] = []
    const hold = (label: string) =>
      withIsolateLock('turns', async () => {
        order.push(`${label} in`)
        await new Promise((resolve) => setTimeout(resolve, 5))
        order.push(`${label} out`)
      })
    await Promise.all([hold('a'), hold('b'), hold('c')])
    const turns = [0, 2, 4].map((i) => [order[i], order[i + 1]])
    for (const [entered, left] of turns) expect(left).toBe(entered.replace('in', 'out'))
    expect(turns.map(([entered]) => entered).sort()).toEqual(['a in', 'b in', 'c in'])
  })

  it('is taken from a holder whose work never settles, after 10 s', async () => {
    void withIsolateLock('lost', () => new Promise(() => {}))
    const started = Date.now()
    const value = await withIsolateLock('lost', async () => 'got it')
    expect(value).toBe('got it')
    expect(Date.now() - started).toBeGreaterThanOrEqual(10_000)
  }, 20_000)
})
