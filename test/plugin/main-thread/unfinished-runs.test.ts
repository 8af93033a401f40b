import { beforeAll, describe, expect, it } from 'vitest'
import type { FinishedImage, HistoryEntry, UnfinishedRun } from '../../../plugin/types'
import { FakeFigma } from '../fake-figma/fake-figma'
import { nodeRasterize } from '../fake-figma/node-rasterize'
import { TINY_PNG_BYTES } from '../ui/tiny-png'

let store: typeof import('../../../plugin/main-thread/unfinished-runs')
let history: typeof import('../../../plugin/main-thread/history-store')

beforeAll(async () => {
  ;(globalThis as { figma?: PluginAPI }).figma = new FakeFigma({
    rasterize: nodeRasterize,
  }).asPluginApi()
  store = await import('../../../plugin/main-thread/unfinished-runs')
  history = await import('../../../plugin/main-thread/history-store')
})

const finished = (requestId: string, index: number): FinishedImage => ({
  id: `${requestId}:${index}`,
  index,
  bytes: new Uint8Array([1]),
  width: 1,
  height: 1,
  thumbnail: null,
  provenance: {
    prompt: 'a kite',
    model: 'gpt-image-2',
    size: '1:1',
    quality: 'low',
    requestId,
    provider: 'preview',
    preview: true,
  },
  note: 'Finished after Promptframe was closed',
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

describe('images brought back into History', () => {
  const entry = (image: FinishedImage): HistoryEntry => ({
    id: image.id,
    createdAt: new Date().toISOString(),
    provenance: image.provenance,
    imageHash: 'hash',
    width: 1,
    height: 1,
    thumbnail: null,
  })

  it('are all kept when added together, and an entry History has is not added twice', async () => {
    await Promise.all([
      history.addToHistory([entry(finished('a', 0))]),
      history.addToHistory([entry(finished('b', 0)), entry(finished('b', 1))]),
      history.addToHistory([entry(finished('a', 0))]),
    ])
    expect((await history.loadHistory()).map((kept) => kept.id).sort()).toEqual([
      'a:0',
      'b:0',
      'b:1',
    ])
  })

  it('keeps the finished images Figma can read when one of them it cannot', async () => {
    const readable = { ...finished('mixed', 0), bytes: TINY_PNG_BYTES }
    const unreadable = finished('mixed', 1)
    await history.addFinishedImages([readable, unreadable])
    const ids = (await history.loadHistory()).map((kept) => kept.id)
    expect(ids).toContain('mixed:0')
    expect(ids).not.toContain('mixed:1')
  })

  it('come only from runs still remembered, without the images already placed', async () => {
    await store.rememberRun(run('kept'))
    await store.markRunReceived('kept', 0)
    let added: string[] = []
    await store.finishRuns(
      ['kept', 'ended-elsewhere'],
      [finished('kept', 0), finished('kept', 1), finished('ended-elsewhere', 0)],
      async (images) => {
        added = images.map((image) => image.id)
      },
    )
    expect(added).toEqual(['kept:1'])
    expect((await store.loadUnfinishedRuns()).map((kept) => kept.requestId)).not.toContain('kept')
  })
})
