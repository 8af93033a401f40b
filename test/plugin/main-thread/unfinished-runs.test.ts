import { beforeAll, describe, expect, it } from 'vitest'
import type { UnfinishedRun } from '../../../plugin/types'
import { FakeFigma } from '../fake-figma/fake-figma'
import { nodeRasterize } from '../fake-figma/node-rasterize'

let store: typeof import('../../../plugin/main-thread/unfinished-runs')

beforeAll(async () => {
  ;(globalThis as { figma?: PluginAPI }).figma = new FakeFigma({
    rasterize: nodeRasterize,
  }).asPluginApi()
  store = await import('../../../plugin/main-thread/unfinished-runs')
})

const run = (requestId: string, startedAt = new Date().toISOString()): UnfinishedRun => ({
  requestId,
  provenance: { prompt: 'a kite', model: 'gpt-image-2', size: '1:1', quality: 'low' },
  combined: false,
  received: [],
  startedAt,
})

describe('the runs an open remembers for the next', () => {
  it('keeps every image received when they arrive together, and forgets a run once done', async () => {
    await Promise.all([store.rememberRun(run('r1')), store.rememberRun(run('r2'))])
    await Promise.all([0, 1, 2, 3].map((index) => store.markRunReceived('r1', index)))
    const [first, second] = await store.loadUnfinishedRuns()
    expect(first.received.sort()).toEqual([0, 1, 2, 3])
    expect(second.requestId).toBe('r2')
    await store.forgetRuns(['r1'])
    expect((await store.loadUnfinishedRuns()).map((kept) => kept.requestId)).toEqual(['r2'])
    await store.forgetRuns(['r2'])
  })

  it('lets go of runs older than the service keeps their images', async () => {
    const twoDaysAgo = new Date(Date.now() - 2 * 24 * 60 * 60 * 1000).toISOString()
    await store.rememberRun(run('old', twoDaysAgo))
    await store.rememberRun(run('new'))
    expect((await store.loadUnfinishedRuns()).map((kept) => kept.requestId)).toEqual(['new'])
  })
})
