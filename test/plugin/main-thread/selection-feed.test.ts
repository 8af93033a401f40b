import { expect, it } from 'vitest'
import { FakeFigma } from '../fake-figma/fake-figma'
import { nodeRasterize } from '../fake-figma/node-rasterize'

it('sends only the newest selection when an older one finishes exporting later', async () => {
  const sent: unknown[][] = []
  const figmaFake = new FakeFigma({
    rasterize: nodeRasterize,
    toUi: (message) => sent.push(message as unknown[]),
  })
  ;(globalThis as { figma?: PluginAPI }).figma = figmaFake.asPluginApi()
  // create-figma-plugin's events module reads the figma global when it loads.
  const { sendSelection } = await import('../../../plugin/main-thread/selection-feed')
  const slow = figmaFake.createFrame()
  slow.name = 'Slow hero'
  const fast = figmaFake.createFrame()
  fast.name = 'Fast card'
  figmaFake.document.exportDelays.set(slow.id, 200)
  figmaFake.currentPage.selection = [slow]
  const first = sendSelection()
  figmaFake.currentPage.selection = [fast]
  const second = sendSelection()
  await Promise.all([first, second])
  const selections = sent
    .filter(([name]) => name === 'SELECTION_CHANGED')
    .map(([, items]) => (items as { name: string }[]).map((item) => item.name))
  expect(selections).toEqual([['Fast card']])
})
