import { beforeEach, describe, expect, it } from 'vitest'
import { exportReference } from '../../../plugin/main-thread/export-reference'
import { loadHistory } from '../../../plugin/main-thread/history-store'
import { placeFromHistory } from '../../../plugin/main-thread/place-from-history'
import {
  cancelAllPlacements,
  cancelPlacement,
  finishPlacement,
  placeImage,
  showPartial,
  startPlacement,
} from '../../../plugin/main-thread/placement-jobs'
import { readProvenance } from '../../../plugin/main-thread/provenance'
import { isFillable, readSelection } from '../../../plugin/main-thread/read-selection'
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
    slots: Array.from({ length: count }, (_, i) => ({
      kind: 'block' as const,
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

  it('leaves the placeholder of an image Figma cannot read, and says so', async () => {
    await startPlacement(framesPlan(2))
    const [first, second] = figmaFake.currentPage.children as FakeFillsNode[]
    await placeImage('job-2', 0, new Uint8Array([1, 2, 3]), provenance)
    await placeImage('job-2', 1, png(192, 108), provenance)
    expect(readProvenance(first as unknown as SceneNode)).toBeNull()
    expect((second.fills[0] as ImagePaint).type).toBe('IMAGE')
    expect(figmaFake.notifications.at(-1)).toMatchObject({ error: true })
    expect(figmaFake.notifications.at(-1)?.message).toContain('could not read one of the images')
    // The generation's end counts it as not placed, and its placeholder goes.
    const finished = await finishPlacement('job-2')
    expect(finished.unreadable).toBe(1)
    expect(finished.placedIds).toEqual([second.id])
    expect(figmaFake.currentPage.children).toHaveLength(1)
  })

  it('shows partial previews, then the final image as an IMAGE fill with provenance and relaunch buttons', async () => {
    await startPlacement(framesPlan(1))
    const [node] = figmaFake.currentPage.children as FakeFillsNode[]
    showPartial('job-1', 0, png(16, 9))
    const partialHash = (node.fills[0] as ImagePaint).imageHash
    await placeImage('job-1', 0, png(192, 108), provenance)
    const fill = node.fills[0] as ImagePaint
    expect(fill).toMatchObject({ type: 'IMAGE', scaleMode: 'FILL' })
    expect(fill.imageHash).not.toBe(partialHash)
    expect(node.name).toBe('a fox 1')
    expect(readProvenance(node as unknown as SceneNode)).toEqual(provenance)
    expect(Object.keys(node.relaunchData)).toEqual(['vary', 'restyle'])
  })

  it('keeps the placeholder when Figma cannot read a partial preview, and places the final image', async () => {
    await startPlacement(framesPlan(1))
    const [node] = figmaFake.currentPage.children as FakeFillsNode[]
    const placeholder = node.fills
    expect(() => showPartial('job-1', 0, new Uint8Array([1, 2, 3]))).not.toThrow()
    expect(node.fills).toEqual(placeholder)
    await placeImage('job-1', 0, png(192, 108), provenance)
    expect((node.fills[0] as ImagePaint).type).toBe('IMAGE')
  })

  it('ends a generation as one undo step, selects the results and records history', async () => {
    await startPlacement(framesPlan(2))
    const before = figmaFake.undoSteps
    await placeImage('job-2', 0, png(64, 36), provenance)
    await placeImage('job-2', 1, png(64, 36), { ...provenance, requestId: 'req-1' })
    const { placedIds, history } = await finishPlacement('job-2')
    expect(placedIds).toHaveLength(2)
    expect(figmaFake.undoSteps).toBe(before + 1)
    expect(figmaFake.currentPage.selection).toHaveLength(2)
    expect(history).toHaveLength(2)
    expect(await loadHistory()).toHaveLength(2)
    expect(imageInfo((await loadHistory())[0].thumbnail!)).toMatchObject({
      mimeType: 'image/jpeg',
      width: 96,
    })
  })

  it('removes the placeholders that got no image on cancel, and keeps those that did, in History too', async () => {
    await startPlacement(framesPlan(3))
    await placeImage('job-3', 1, png(64, 36), provenance)
    const history = await cancelPlacement('job-3')
    expect(figmaFake.currentPage.children.map((node) => node.name)).toEqual(['a fox 2'])
    expect(history?.map((entry) => entry.id)).toEqual(['req-1:1'])
    expect((await loadHistory()).map((entry) => entry.id)).toEqual(['req-1:1'])
  })

  it('fills selected layers and restores their own fills when cancelled', async () => {
    const target = frame(0, 0, 375, 812)
    const original = target.fills
    await startPlacement({
      jobId: 'fill',
      slots: [
        { kind: 'fill', width: 375, height: 812, name: target.name, targetNodeId: target.id },
      ],
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
    await placeImage('job-1', 0, png(64, 36), provenance)
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

describe('layers removed while a generation runs', () => {
  it('places a paid image in a new frame where its deleted placeholder was', async () => {
    await startPlacement(framesPlan(2))
    const [first, second] = figmaFake.currentPage.children as FakeFillsNode[]
    const where = first.absoluteBoundingBox
    first.remove()
    await placeImage('job-2', 0, png(64, 36), provenance)
    await placeImage('job-2', 1, png(64, 36), provenance)
    const { placedIds, history } = await finishPlacement('job-2')
    expect(placedIds).toHaveLength(2)
    expect(history).toHaveLength(2)
    const again = figmaFake.currentPage.children.find((node) => node !== second) as FakeFillsNode
    expect(again.absoluteBoundingBox).toEqual(where)
    expect(again.name).toBe('a fox 1')
    expect(readProvenance(again as unknown as SceneNode)).toEqual(provenance)
    expect(figmaFake.currentPage.children.some((node) => node.name.includes('generating'))).toBe(
      false,
    )
  })

  it("survives the designer's undo mid-generation: images placed, one undo step, nothing left", async () => {
    const before = figmaFake.undoSteps
    await startPlacement(framesPlan(3))
    const rects = figmaFake.currentPage.children.map((node) => node.absoluteBoundingBox)
    figmaFake.document.undoPending()
    expect(figmaFake.currentPage.children).toHaveLength(0)
    await placeImage('job-3', 2, png(64, 36), provenance)
    await finishPlacement('job-3')
    expect(figmaFake.currentPage.children.map((node) => node.absoluteBoundingBox)).toEqual([
      rects[2],
    ])
    expect(figmaFake.undoSteps).toBe(before + 1)
  })

  it('cleans up every other placeholder when one is gone', async () => {
    await startPlacement(framesPlan(3))
    figmaFake.currentPage.children[0].remove()
    cancelPlacement('job-3')
    expect(figmaFake.currentPage.children).toHaveLength(0)
  })

  it('places a fill whose layer was deleted in a new frame at that layer', async () => {
    const target = frame(100, 200, 375, 812)
    await startPlacement({
      jobId: 'fill',
      slots: [{ kind: 'fill', width: 375, height: 812, name: 'Phone', targetNodeId: target.id }],
    })
    target.remove()
    await placeImage('fill', 0, png(10, 20), provenance)
    const [placed] = figmaFake.currentPage.children as FakeFillsNode[]
    expect(placed.absoluteBoundingBox).toEqual({ x: 100, y: 200, width: 375, height: 812 })
    expect(placed.name).toBe('Phone')
    expect(placed.fills[0].type).toBe('IMAGE')
  })

  it('commits nothing to undo until the job ends, so placeholders and images are one step', async () => {
    const before = figmaFake.undoSteps
    await startPlacement(framesPlan(1))
    showPartial('job-1', 0, png(16, 9))
    await placeImage('job-1', 0, png(64, 36), provenance)
    expect(figmaFake.undoSteps).toBe(before)
    await finishPlacement('job-1')
    expect(figmaFake.undoSteps).toBe(before + 1)
  })
})

describe('closing mid-generation', () => {
  it('removes placeholders without an image and restores filled layers, synchronously', async () => {
    const target = frame(0, 0, 375, 812)
    const original = target.fills
    await startPlacement(framesPlan(2))
    await placeImage('job-2', 0, png(64, 36), provenance)
    await startPlacement({
      jobId: 'fill',
      slots: [{ kind: 'fill', width: 375, height: 812, name: 'Phone', targetNodeId: target.id }],
    })
    showPartial('fill', 0, png(10, 20))
    figmaFake.on('close', cancelAllPlacements)
    figmaFake.closePlugin()
    const names = figmaFake.document.currentPage.children.map((node) => node.name)
    expect(names).toEqual([target.name, 'a fox 1'])
    expect(target.fills).toEqual(original)
  })
})

describe('finishing politely', () => {
  it('leaves the selection alone when the designer changed it meanwhile, and offers to show', async () => {
    const elsewhere = frame(-2000, 0, 100, 100)
    await startPlacement(framesPlan(1))
    figmaFake.currentPage.selection = [elsewhere]
    await placeImage('job-1', 0, png(64, 36), provenance)
    const scrolls = figmaFake.scrolledTo.length
    await finishPlacement('job-1')
    expect(figmaFake.currentPage.selection).toEqual([elsewhere])
    expect(figmaFake.scrolledTo).toHaveLength(scrolls)
    const notice = figmaFake.notifications.at(-1)!
    expect(notice.message).toBe('Your image is ready on "Page 1".')
    notice.button!.action()
    await Promise.resolve()
    expect(figmaFake.currentPage.selection.map((node) => node.name)).toEqual(['a fox 1'])
  })

  it('brings the designer back to the page of the results only when they ask', async () => {
    const start = figmaFake.currentPage
    await startPlacement(framesPlan(2))
    const other = figmaFake.document.addPage('Page 2')
    await figmaFake.setCurrentPageAsync(other as unknown as PageNode)
    await placeImage('job-2', 0, png(64, 36), provenance)
    await placeImage('job-2', 1, png(64, 36), provenance)
    await finishPlacement('job-2')
    expect(figmaFake.currentPage).toBe(other)
    const notice = figmaFake.notifications.at(-1)!
    expect(notice.message).toBe('Your 2 images are ready on "Page 1".')
    notice.button!.action()
    await new Promise((resolve) => setTimeout(resolve, 0))
    expect(figmaFake.currentPage).toBe(start)
    expect(figmaFake.currentPage.selection).toHaveLength(2)
  })
})

describe('what can be filled', () => {
  it('takes frames, shapes, components and instances, never lines, sections or text', () => {
    const fillable = [
      figmaFake.createFrame(),
      figmaFake.createRectangle(),
      figmaFake.createEllipse(),
      figmaFake.createComponent(),
      figmaFake.createInstance(),
    ]
    const not = [figmaFake.createLine(), figmaFake.createSection(), figmaFake.createText()]
    for (const node of fillable) expect(isFillable(node as unknown as SceneNode)).toBe(true)
    for (const node of not) expect(isFillable(node as unknown as SceneNode)).toBe(false)
  })
})

describe('references as the canvas shows them', () => {
  async function imageLayer(width: number, height: number, paint: Partial<ImagePaint> = {}) {
    const image = figmaFake.createImage(png(640, 480))
    const rectangle = figmaFake.createRectangle()
    rectangle.resize(width, height)
    rectangle.fills = [{ type: 'IMAGE', scaleMode: 'FILL', imageHash: image.hash, ...paint }]
    return rectangle
  }

  it('exports an image that is cropped, filtered, tiled or rotated instead of sending its bytes', async () => {
    const layers = [
      await imageLayer(300, 300),
      await imageLayer(320, 240, { filters: { exposure: 0.4 } }),
      await imageLayer(320, 240, { scaleMode: 'TILE' }),
      await imageLayer(320, 240, { scaleMode: 'CROP' }),
    ]
    const turned = await imageLayer(320, 240)
    turned.rotation = 30
    for (const layer of [...layers, turned]) {
      const reference = await exportReference(layer as unknown as SceneNode)
      expect(reference.mimeType).toBe('image/jpeg')
      expect(layer.exports).toHaveLength(1)
    }
  })

  it('sends the original bytes of an image shown whole: its own shape, or fitted', async () => {
    for (const layer of [
      await imageLayer(320, 240),
      await imageLayer(300, 300, { scaleMode: 'FIT' }),
    ]) {
      const reference = await exportReference(layer as unknown as SceneNode)
      expect(reference).toMatchObject({ mimeType: 'image/png', width: 640, height: 480 })
      expect(layer.exports).toEqual([])
    }
  })

  it('reads the size of an export from its bytes, which covers rotation', async () => {
    const turned = frame(0, 0, 400, 200)
    turned.rotation = 90
    const reference = await exportReference(turned as unknown as SceneNode)
    expect([reference.width, reference.height]).toEqual([400, 800])
    expect(imageInfo(reference.bytes)).toMatchObject({ width: 400, height: 800 })
  })
})

describe('results beside and over their sources', () => {
  it('puts each source’s results in a row to its right, same top edge, exactly its size', async () => {
    const hero = frame(0, 0, 1440, 900)
    const phone = frame(1600, 0, 390, 844)
    await startPlacement({
      jobId: 'beside',
      slots: [
        {
          kind: 'beside',
          width: 1440,
          height: 900,
          sourceNodeId: hero.id,
          name: 'Hero · restyled',
        },
        {
          kind: 'beside',
          width: 390,
          height: 844,
          sourceNodeId: phone.id,
          name: 'Phone · restyled',
        },
      ],
    })
    await placeImage('beside', 0, png(64, 40), provenance)
    await placeImage('beside', 1, png(20, 44), provenance)
    await finishPlacement('beside')
    const [, , heroResult, phoneResult] = figmaFake.currentPage.children
    expect(heroResult.name).toBe('Hero · restyled')
    expect([heroResult.y, heroResult.width, heroResult.height]).toEqual([0, 1440, 900])
    expect(heroResult.x).toBeGreaterThanOrEqual(1440)
    expect([phoneResult.y, phoneResult.width, phoneResult.height]).toEqual([0, 390, 844])
    expect(phoneResult.x).toBeGreaterThanOrEqual(1990)
    const boxes = figmaFake.currentPage.children.map((node) => node.absoluteBoundingBox)
    for (const a of boxes)
      for (const b of boxes)
        if (a !== b)
          expect(
            a.x < b.x + b.width &&
              b.x < a.x + a.width &&
              a.y < b.y + b.height &&
              b.y < a.y + a.height,
          ).toBe(false)
  })

  it('puts an edit exactly over its source, just above it, and hides what it replaces once placed', async () => {
    const parent = frame(0, 0, 1000, 1000)
    const photo = figmaFake.createRectangle()
    parent.appendChild(photo)
    photo.x = 100
    photo.y = 50
    photo.resize(800, 600)
    const shape = figmaFake.createEllipse()
    parent.appendChild(shape)
    await startPlacement({
      jobId: 'over',
      slots: [
        { kind: 'over', sourceNodeId: photo.id, hideNodeIds: [shape.id], name: 'Photo · edited' },
      ],
    })
    const layer = parent.children[1]
    expect([layer.x, layer.y, layer.width, layer.height]).toEqual([100, 50, 800, 600])
    expect(shape.visible).toBe(true)
    await placeImage('over', 0, png(80, 60), provenance)
    expect(layer.name).toBe('Photo · edited')
    expect(shape.visible).toBe(false)
    expect(photo.visible).toBe(true)
  })

  it('puts an edit of a layer inside a component instance just above the instance, over the layer', async () => {
    const board = frame(0, 0, 2000, 1000)
    const card = figmaFake.createInstance()
    board.appendChild(card)
    card.x = 300
    card.y = 120
    card.resize(600, 400)
    const photo = figmaFake.createRectangle()
    card.adopt(photo)
    photo.x = 40
    photo.y = 30
    photo.resize(320, 200)
    // Figma refuses a new layer inside an instance, as the fake does.
    expect(() => card.appendChild(figmaFake.createRectangle())).toThrow(/inside of an instance/)
    await startPlacement({
      jobId: 'over',
      slots: [
        { kind: 'over', sourceNodeId: photo.id, hideNodeIds: [], name: 'Photo · no background' },
      ],
    })
    expect(board.children.map((node) => node.id)).toEqual([card.id, board.children[1].id])
    const layer = board.children[1]
    expect(layer.absoluteBoundingBox).toEqual(photo.absoluteBoundingBox)
    await placeImage('over', 0, png(32, 20), provenance)
    expect(layer.name).toBe('Photo · no background')
  })

  it('leaves no new layer behind when one of the layers to edit is gone', async () => {
    const photo = figmaFake.createRectangle()
    const gone = figmaFake.createRectangle()
    const goneId = gone.id
    gone.remove()
    await expect(
      startPlacement({
        jobId: 'over',
        slots: [
          { kind: 'over', sourceNodeId: photo.id, hideNodeIds: [], name: 'Photo · varied' },
          { kind: 'over', sourceNodeId: goneId, hideNodeIds: [], name: 'Gone · varied' },
        ],
      }),
    ).rejects.toThrow(/was deleted/)
    expect(figmaFake.currentPage.children).toEqual([photo])
  })

  it('takes an unplaced edit layer away on cancel, hiding nothing', async () => {
    const photo = figmaFake.createRectangle()
    const shape = figmaFake.createEllipse()
    await startPlacement({
      jobId: 'over',
      slots: [
        { kind: 'over', sourceNodeId: photo.id, hideNodeIds: [shape.id], name: 'Photo · edited' },
      ],
    })
    expect(figmaFake.currentPage.children).toHaveLength(3)
    cancelPlacement('over')
    expect(figmaFake.currentPage.children).toEqual([photo, shape])
    expect(shape.visible).toBe(true)
  })
})
