import { describe, expect, it } from 'vitest'
import { FakeDocument, FakeFigma } from './fake-figma'
import { nodeRasterize } from './node-rasterize'

/** The fake must be at least as strict as Figma, or it hides bugs that only Figma would show. */
describe('the fake Figma is as strict as Figma', () => {
  const fresh = () => new FakeFigma({ rasterize: nodeRasterize })

  it('throws on any use of a removed layer but its id, type and removed', async () => {
    const figma = fresh()
    const frame = figma.createFrame()
    const child = figma.createRectangle()
    frame.appendChild(child)
    frame.remove()
    expect(frame.removed).toBe(true)
    expect(child.removed).toBe(true)
    expect([frame.id, frame.type]).toEqual([frame.id, 'FRAME'])
    expect(() => frame.name).toThrow(`The node with id "${frame.id}" does not exist`)
    expect(() => {
      child.fills = []
    }).toThrow('in set_fills')
    expect(() => frame.remove()).toThrow('in remove')
    await expect(frame.exportAsync()).rejects.toThrow('in exportAsync')
    expect(await figma.getNodeByIdAsync(frame.id)).toBeNull()
  })

  it('accepts across postMessage and in clientStorage only what Figma carries', async () => {
    const sent: unknown[] = []
    const figma = new FakeFigma({ rasterize: nodeRasterize, toUi: (m) => sent.push(m) })
    figma.ui.postMessage({ bytes: new Uint8Array([1, 2]), when: new Date(0), list: [null, 1] })
    expect((sent[0] as { bytes: Uint8Array }).bytes).toBeInstanceOf(Uint8Array)
    expect(() => figma.ui.postMessage({ run: () => 1 })).toThrow('value.run is a function')
    expect(() => figma.ui.postMessage(new Map())).toThrow('Map')
    expect(() => figma.ui.postMessage({ floats: new Float32Array(2) })).toThrow('Float32Array')
    await expect(figma.clientStorage.setAsync('k', { at: new Date() })).rejects.toThrow('Date')
    await figma.clientStorage.setAsync('k', { thumb: new Uint8Array([9]) })
    expect(await figma.clientStorage.getAsync('k')).toEqual({ thumb: new Uint8Array([9]) })
  })

  it('runs close handlers synchronously, then refuses every call', () => {
    const figma = fresh()
    const frame = figma.createFrame()
    figma.on('close', () => frame.remove())
    figma.closePlugin()
    expect(frame.removed).toBe(true)
    expect(() => figma.currentPage).toThrow('The plugin has been closed')
    expect(() => figma.createFrame()).toThrow('The plugin has been closed')
  })

  it('keeps the document and clientStorage for the next run of the plugin', async () => {
    const document = new FakeDocument({ rasterize: nodeRasterize })
    const first = new FakeFigma({ document })
    const frame = first.createFrame()
    await first.clientStorage.setAsync('settings', { token: 't' })
    first.closePlugin()
    const second = new FakeFigma({ document })
    expect(await second.getNodeByIdAsync(frame.id)).toBe(frame)
    expect(await second.clientStorage.getAsync('settings')).toEqual({ token: 't' })
  })

  it("takes back the plugin's uncommitted changes on the designer's undo", () => {
    const figma = fresh()
    const kept = figma.createFrame()
    figma.commitUndo()
    const placeholder = figma.createFrame()
    kept.fills = []
    figma.document.undoPending()
    expect(placeholder.removed).toBe(true)
    expect(kept.fills).toHaveLength(1)
  })

  it('has the layer types a designer selects, with lines 0 px high and rotation in the bounds', () => {
    const figma = fresh()
    expect(figma.createLine().height).toBe(0)
    expect(() => figma.createLine().resize(10, 5)).toThrow('line')
    expect(figma.createSection().type).toBe('SECTION')
    expect(figma.createComponent().type).toBe('COMPONENT')
    expect(figma.createInstance().type).toBe('INSTANCE')
    const turned = figma.createRectangle()
    turned.resize(100, 50)
    turned.rotation = 90
    const box = turned.absoluteBoundingBox
    expect([Math.round(box.width), Math.round(box.height)]).toEqual([50, 100])
  })

  it('does not let a dynamic-page plugin set currentPage directly', async () => {
    const figma = fresh()
    const second = figma.document.addPage('Page 2')
    expect(() => {
      figma.currentPage = second
    }).toThrow('setCurrentPageAsync')
    await figma.setCurrentPageAsync(second as unknown as PageNode)
    expect(figma.currentPage).toBe(second)
  })
})
