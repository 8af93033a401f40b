import { beforeEach, describe, expect, it } from 'vitest'
import { exportReference } from '../../../plugin/main-thread/export-reference'
import { loadHistory } from '../../../plugin/main-thread/history-store'
import { placeFromHistory } from '../../../plugin/main-thread/place-from-history'
import {
  cancelPlacement,
  finishPlacement,
  placeImage,
  showPartial,
  startPlacement,
} from '../../../plugin/main-thread/placement-jobs'
import { readProvenance } from '../../../plugin/main-thread/provenance'
import { readSelection } from '../../../plugin/main-thread/read-selection'
import type { PlacementPlan, Provenance } from '../../../plugin/types'
import { imageInfo } from '../../../shared/image-info'
import { FakeFigma } from '../fake-figma/fake-figma'
import type { FakeFillsNode } from '../fake-figma/fake-nodes'
import { encodeRgbaPng, nodeRasterize } from '../fake-figma/node-rasterize'

let figmaFake: FakeFigma

beforeEach(() => {
  figmaFake = new FakeFigma({ rasterize: nodeRasterize })
  ;(globalThis as { figma?: PluginAPI }).figma = figmaFake.asPluginApi()
})

const png = (width: number, height: number) =>
  encodeRgbaPng(width, height, new Uint8Array(width * height * 4).fill(200))
const provenance: Provenance = {
  prompt: 'a fox',
  model: 'gpt-image-2',
  size: '16:9',
  quality: 'low',
  requestId: 'req-1',
  provider: 'preview',
  preview: true,
}

function framesPlan(count: number): PlacementPlan {
  return {
    jobId: `job-${count}`,
    mode: 'frames',
    slots: Array.from({ length: count }, (_, i) => ({
      width: 1920,
      height: 1080,
      name: `a fox ${i + 1}`,
    })),
  }
}

function frame(x: number, y: number, width: number, height: number) {
  const node = figmaFake.createFrame()
  node.x = x
  node.y = y
  node.resize(width, height)
  return node
}

describe('placing results', () => {
  it('makes placeholder frames of the exact size beside the selection, covering nothing', async () => {
    const selected = frame(0, 0, 800, 600)
    const neighbour = frame(900, 0, 500, 500)
    figmaFake.currentPage.selection = [selected]
    await startPlacement(framesPlan(2))
    const created = figmaFake.currentPage.children.slice(2)
    expect(created.map((node) => [node.width, node.height])).toEqual([
      [1920, 1080],
      [1920, 1080],
    ])
    for (const node of created) {
      for (const other of [selected, neighbour]) {
        const a = node.absoluteBoundingBox
        const b = other.absoluteBoundingBox
        expect(
          a.x < b.x + b.width &&
            b.x < a.x + a.width &&
            a.y < b.y + b.height &&
            b.y < a.y + a.height,
        ).toBe(false)
      }
    }
    expect(created[0].x).toBeGreaterThan(neighbour.x + neighbour.width)
    expect(figmaFake.scrolledTo.at(-1)).toEqual(created.map((node) => node.id))
  })

  it('shows partial previews, then the final image as an IMAGE fill with provenance and relaunch buttons', async () => {
    await startPlacement(framesPlan(1))
    const [node] = figmaFake.currentPage.children as FakeFillsNode[]
    showPartial('job-1', 0, png(16, 9))
    const partialHash = (node.fills[0] as ImagePaint).imageHash
    placeImage('job-1', 0, png(192, 108), provenance)
    const fill = node.fills[0] as ImagePaint
    expect(fill).toMatchObject({ type: 'IMAGE', scaleMode: 'FILL' })
    expect(fill.imageHash).not.toBe(partialHash)
    expect(node.name).toBe('a fox 1')
    expect(readProvenance(node as unknown as SceneNode)).toEqual(provenance)
    expect(Object.keys(node.relaunchData)).toEqual(['vary', 'restyle'])
  })

  it('ends a generation as one undo step, selects the results and records history', async () => {
    await startPlacement(framesPlan(2))
    const before = figmaFake.undoSteps
    placeImage('job-2', 0, png(64, 36), provenance)
    placeImage('job-2', 1, png(64, 36), { ...provenance, requestId: 'req-1' })
    const { placed, history } = await finishPlacement('job-2')
    expect(placed).toBe(2)
    expect(figmaFake.undoSteps).toBe(before + 1)
    expect(figmaFake.currentPage.selection).toHaveLength(2)
    expect(history).toHaveLength(2)
    expect(await loadHistory()).toHaveLength(2)
    expect(imageInfo((await loadHistory())[0].thumbnail!)).toMatchObject({
      mimeType: 'image/jpeg',
      width: 96,
    })
  })

  it('removes the placeholders that got no image on cancel, and keeps those that did', async () => {
    await startPlacement(framesPlan(3))
    placeImage('job-3', 1, png(64, 36), provenance)
    cancelPlacement('job-3')
    expect(figmaFake.currentPage.children.map((node) => node.name)).toEqual(['a fox 2'])
  })

  it('fills selected layers and restores their own fills when cancelled', async () => {
    const target = frame(0, 0, 375, 812)
    const original = target.fills
    await startPlacement({
      jobId: 'fill',
      mode: 'fill',
      slots: [{ width: 375, height: 812, name: target.name, targetNodeId: target.id }],
    })
    showPartial('fill', 0, png(10, 20))
    expect(target.fills[0].type).toBe('IMAGE')
    cancelPlacement('fill')
    expect(target.fills).toEqual(original)
    expect(figmaFake.currentPage.children).toEqual([target])
  })

  it('refuses images Figma cannot take, as Figma does', () => {
    expect(() => figmaFake.createImage(png(4097, 10))).toThrow('Image is too large')
    expect(() => figmaFake.createImage(new TextEncoder().encode('RIFF0000WEBPVP8 '))).toThrow(
      'unsupported',
    )
  })
})

describe('references', () => {
  it('exports a 4000 px frame as a JPEG capped at 1536 px', async () => {
    const big = frame(0, 0, 4000, 2250)
    const reference = await exportReference(big as unknown as SceneNode)
    expect(big.exports).toEqual([
      { format: 'JPG', constraint: { type: 'SCALE', value: 1536 / 4000 } },
    ])
    expect(reference).toMatchObject({ mimeType: 'image/jpeg', width: 1536, height: 864 })
    expect(imageInfo(reference.bytes)).toMatchObject({
      mimeType: 'image/jpeg',
      width: 1536,
      height: 864,
    })
  })

  it('sends the original bytes of a plain image layer', async () => {
    const original = png(640, 480)
    const image = figmaFake.createImage(original)
    const rectangle = figmaFake.createRectangle()
    rectangle.resize(320, 240)
    rectangle.fills = [{ type: 'IMAGE', scaleMode: 'FILL', imageHash: image.hash }]
    const reference = await exportReference(rectangle as unknown as SceneNode)
    expect(reference.bytes).toEqual(original)
    expect(reference).toMatchObject({ mimeType: 'image/png', width: 640, height: 480 })
    expect(rectangle.exports).toEqual([])
  })

  it('lists the selection with small thumbnails and what can be filled', async () => {
    const a = frame(0, 0, 400, 300)
    const group = figmaFake.createGroupOf([figmaFake.createRectangle()])
    const items = await readSelection([a, group] as unknown as SceneNode[])
    expect(items.map((item) => [item.type, item.fillable])).toEqual([
      ['FRAME', true],
      ['GROUP', false],
    ])
    expect(imageInfo(items[0].thumbnail!)).toMatchObject({ height: 64 })
  })
})

describe('history', () => {
  it('places a result again from the image the file already holds, beside the selection', async () => {
    await startPlacement(framesPlan(1))
    placeImage('job-1', 0, png(64, 36), provenance)
    await finishPlacement('job-1')
    const [entry] = await loadHistory()
    const [original] = figmaFake.currentPage.children as FakeFillsNode[]
    figmaFake.currentPage.selection = [original]
    expect(placeFromHistory(entry, true)).toBeNull()
    const again = figmaFake.currentPage.children.at(-1) as FakeFillsNode
    expect(again).not.toBe(original)
    expect((again.fills[0] as ImagePaint).imageHash).toBe(entry.imageHash)
    expect([again.width, again.height]).toEqual([1920, 1080])
    expect(again.x).toBeGreaterThanOrEqual(original.x + original.width)
    expect(again.name).toBe('a fox · AI-generated')
    expect(readProvenance(again as unknown as SceneNode)).toEqual(provenance)
  })

  it('says so when the image is no longer in the file', () => {
    const problem = placeFromHistory(
      {
        id: 'x',
        createdAt: '',
        provenance,
        imageHash: 'gone',
        width: 10,
        height: 10,
        thumbnail: null,
      },
      false,
    )
    expect(problem).toContain('not in this file')
  })
})
