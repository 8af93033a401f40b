import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Environment, startEnvironment } from './e2e-environment'
import type { SnapshotNode } from './harness/scene-snapshot'
import {
  harness,
  idsByName,
  imageSize as imageSizeOf,
  plugin,
  scene,
  screenshot,
  selectByName,
  typePrompt,
  waitForScene,
} from './plugin-page'
import { countingProxy } from './test-proxies'

/** Working on what is already on the canvas: each action, checked by geometry and by pixels. */
let env: Environment

beforeAll(async () => {
  env = await startEnvironment({ port: 8796, previewDelayMs: 600 })
})

afterAll(async () => {
  await env?.close()
})

const generated = (nodes: SnapshotNode[]) => nodes.filter((node) => node.provenance !== '')
const chooseAction = (page: Page, name: string) =>
  plugin(page).getByTestId('actions').getByRole('radio', { name }).click()
const generate = (page: Page) => plugin(page).locator('[data-testid="generate"]').click()
const generateLabel = (page: Page) => plugin(page).locator('[data-testid="generate"]').textContent()

function overlapping(a: SnapshotNode, b: SnapshotNode): boolean {
  return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height
}

/**
 * Compares two images pixel by pixel in the page: how many pixels differ inside and outside a
 * region, given as a test run in the page's context.
 */
async function comparePixels(
  page: Page,
  hashes: { result: string; original: string },
  offset: { x: number; y: number },
  isInside: string,
) {
  return page.evaluate(
    async ({ hashes, offset, isInside }) => {
      const images = (window as unknown as { harnessImages: Map<string, string> }).harnessImages
      const read = async (hash: string) => {
        const blob = await (await fetch(images.get(hash)!)).blob()
        const bitmap = await createImageBitmap(blob, {
          colorSpaceConversion: 'none',
          premultiplyAlpha: 'none',
        })
        const canvas = new OffscreenCanvas(bitmap.width, bitmap.height)
        const context = canvas.getContext('2d')!
        context.drawImage(bitmap, 0, 0)
        return {
          width: bitmap.width,
          height: bitmap.height,
          data: context.getImageData(0, 0, bitmap.width, bitmap.height).data,
        }
      }
      const result = await read(hashes.result)
      const original = await read(hashes.original)
      const inside = new Function('x', 'y', `return ${isInside}`) as (
        x: number,
        y: number,
      ) => boolean
      let changedInside = 0
      let changedOutside = 0
      let comparedOutside = 0
      for (let y = 0; y < original.height; y++) {
        for (let x = 0; x < original.width; x++) {
          const at = ((y + offset.y) * result.width + (x + offset.x)) * 4
          const from = (y * original.width + x) * 4
          const same = [0, 1, 2, 3].every((c) => result.data[at + c] === original.data[from + c])
          if (inside(x, y)) changedInside += same ? 0 : 1
          else {
            comparedOutside++
            changedOutside += same ? 0 : 1
          }
        }
      }
      return {
        result: { width: result.width, height: result.height },
        changedInside,
        changedOutside,
        comparedOutside,
      }
    },
    { hashes, offset, isInside },
  )
}

describe('actions on what is already on the canvas', () => {
  it('restyles each mockup on its own: frames of exactly their sizes, each beside its original', async () => {
    const user = await env.createUser(100)
    const page = await env.openPlugin(user.token, '&samples=0')
    await harness(page, (h) => {
      h.add({ name: 'Landing hero', x: 0, y: 0, width: 1440, height: 900, colour: [235, 240, 250] })
      h.add({ name: 'Phone', x: 1600, y: 0, width: 390, height: 844, colour: [40, 44, 60] })
    })
    await waitForScene(page, (s) => s.nodes.length === 2)
    await selectByName(page, ['Landing hero', 'Phone'])
    await expect.poll(() => plugin(page).locator('[data-reference]').count()).toBe(2)
    await typePrompt(page, 'Restyle as a risograph print')
    await expect.poll(() => generateLabel(page)).toBe('Generate 2 · 12 credits')
    await generate(page)
    await waitForScene(page, (s) => s.nodes.filter((n) => n.provenance !== '').length === 2)
    const nodes = (await scene(page)).nodes
    for (const name of ['Landing hero', 'Phone']) {
      const original = nodes.find((node) => node.name === name)!
      const result = nodes.find((node) => node.name === `${name} · restyled`)!
      expect([result.width, result.height]).toEqual([original.width, original.height])
      expect(result.y).toBe(original.y)
      expect(result.x).toBeGreaterThanOrEqual(original.x + original.width)
      expect(JSON.parse(result.provenance)).toMatchObject({
        action: 'restyle',
        sources: [original.id],
      })
    }
    for (const a of nodes)
      for (const b of nodes)
        if (a !== b) expect(overlapping(a, b), `${a.name} / ${b.name}`).toBe(false)
    expect((await env.account(user.user_id)).ledger.slice(-2).map((entry) => entry.reason)).toEqual(
      ['edit gpt-image-2 medium x1', 'edit gpt-image-2 medium x1'],
    )
    await screenshot(page, 'restyle-each')
  })

  it('keeps the references pinned across two generations, and follows the canvas again after', async () => {
    const user = await env.createUser(100)
    const page = await env.openPlugin(user.token)
    await selectByName(page, ['Product card'])
    await typePrompt(page, 'As a paper cut-out')
    await generate(page)
    await waitForScene(page, (s) => s.nodes.filter((n) => n.provenance !== '').length === 1)
    // The result is selected on the canvas, and the strip still shows the card it came from.
    await waitForScene(
      page,
      (s) =>
        s.selection.length === 1 && s.nodes.find((n) => n.id === s.selection[0])?.provenance !== '',
    )
    const [card] = await idsByName(page, ['Product card'])
    const listed = () =>
      plugin(page)
        .locator('[data-reference]')
        .evaluateAll((items) => items.map((item) => item.getAttribute('data-reference')))
    await expect.poll(listed).toEqual([card])
    await generate(page)
    await waitForScene(page, (s) => s.nodes.filter((n) => n.provenance !== '').length === 2)
    const results = generated((await scene(page)).nodes)
    expect(results.map((node) => JSON.parse(node.provenance).sources)).toEqual([[card], [card]])
    await selectByName(page, ['Mobile mockup'])
    const [phone] = await idsByName(page, ['Mobile mockup'])
    await expect.poll(listed).toEqual([phone])
  })

  it('edits an area: only the pixels under the shape change, the rest are the original’s', async () => {
    const user = await env.createUser(100)
    const page = await env.openPlugin(user.token, '&samples=0')
    await harness(page, (h) => h.addPhotoWithArea())
    await expect.poll(() => plugin(page).locator('[data-reference]').count()).toBe(1)
    await chooseAction(page, 'Edit area')
    await expect.poll(() => plugin(page).locator('[data-reference]').count()).toBe(2)
    await typePrompt(page, 'A bunch of yellow tulips')
    await expect.poll(() => generateLabel(page)).toBe('Generate 1 · 6 credits')
    await generate(page)
    await waitForScene(page, (s) => s.nodes.some((n) => n.provenance !== ''))
    const nodes = (await scene(page)).nodes
    const photo = nodes.find((node) => node.name === 'Photo')!
    const area = nodes.find((node) => node.name === 'Area')!
    const [result] = generated(nodes)
    expect(result.name).toBe('Photo · edited')
    expect([result.x, result.y, result.width, result.height]).toEqual([
      photo.x,
      photo.y,
      photo.width,
      photo.height,
    ])
    expect(nodes.indexOf(result)).toBe(nodes.indexOf(photo) + 1)
    expect(area.visible).toBe(false)
    expect(photo.visible).toBe(true)
    // The ellipse is 200×150 at (300, 150) in the photo's own pixels; its edge is antialiased.
    const compared = await comparePixels(
      page,
      {
        result: (result.fill as { hash: string }).hash,
        original: (photo.fill as { hash: string }).hash,
      },
      { x: 0, y: 0 },
      '((x + 0.5 - 400) / 102) ** 2 + ((y + 0.5 - 225) / 77) ** 2 <= 1',
    )
    expect(compared.result).toEqual({ width: 800, height: 600 })
    expect(compared.changedOutside).toBe(0)
    expect(compared.comparedOutside).toBeGreaterThan(400_000)
    expect(compared.changedInside).toBeGreaterThan(15_000)
    expect(JSON.parse(result.provenance)).toMatchObject({
      action: 'edit-area',
      sources: [photo.id, area.id],
    })
    await screenshot(page, 'edit-area')
  })

  it('says why when the shapes cover none of the image, charging nothing', async () => {
    const user = await env.createUser(100)
    const page = await env.openPlugin(user.token, '&samples=0')
    await harness(page, async (h) => {
      await h.addImage(false, { name: 'Photo', x: 0, y: 0 })
      // An outline with neither fill nor stroke: it marks no pixels.
      h.add({
        name: 'Empty outline',
        type: 'ELLIPSE',
        x: 100,
        y: 100,
        width: 200,
        height: 150,
        noFill: true,
        colour: [0, 0, 0],
      })
    })
    await waitForScene(page, (s) => s.nodes.length === 2)
    await selectByName(page, ['Photo', 'Empty outline'])
    await chooseAction(page, 'Edit area')
    await typePrompt(page, 'Ivy')
    await generate(page)
    await expect
      .poll(() => plugin(page).locator('[role="alert"], [role="status"]').allTextContents())
      .toContainEqual(expect.stringContaining('do not cover any part of the image'))
    const nodes = (await scene(page)).nodes
    expect(generated(nodes)).toHaveLength(0)
    expect(nodes.filter((node) => node.name.endsWith('(generating…)'))).toHaveLength(0)
    expect((await env.account(user.user_id)).balance).toBe(100)
  })

  it('edits the area under a rotated rectangle and a pencil stroke, by their real geometry', async () => {
    const user = await env.createUser(100)
    const page = await env.openPlugin(user.token, '&samples=0')
    await harness(page, async (h) => {
      await h.addImage(false, { name: 'Photo', x: 0, y: 0 })
      h.add({
        name: 'Tilted',
        type: 'RECTANGLE',
        x: 100,
        y: 100,
        width: 120,
        height: 60,
        rotation: 30,
        colour: [255, 0, 0],
      })
      h.add({
        name: 'Pencil',
        type: 'VECTOR',
        x: 450,
        y: 380,
        width: 250,
        height: 120,
        noFill: true,
        path: 'M 0 100 C 60 0 120 0 250 60',
        stroke: { colour: [0, 0, 255], weight: 24 },
        colour: [0, 0, 0],
      })
    })
    await waitForScene(page, (s) => s.nodes.length === 3)
    await selectByName(page, ['Photo', 'Tilted', 'Pencil'])
    await chooseAction(page, 'Edit area')
    await typePrompt(page, 'Ivy')
    await generate(page)
    await waitForScene(page, (s) => s.nodes.some((n) => n.provenance !== ''))
    const nodes = (await scene(page)).nodes
    const photo = nodes.find((node) => node.name === 'Photo')!
    const [result] = generated(nodes)
    await screenshot(page, 'edit-area-pencil')
    // Far from both shapes nothing changes; on the stroke's line and in the tilted box, pixels do.
    const far = await comparePixels(
      page,
      {
        result: (result.fill as { hash: string }).hash,
        original: (photo.fill as { hash: string }).hash,
      },
      { x: 0, y: 0 },
      '(x > 60 && x < 260 && y > 20 && y < 220) || (x > 420 && y > 350)',
    )
    expect(far.changedOutside).toBe(0)
    expect(far.changedInside).toBeGreaterThan(3000)
    const onStroke = await comparePixels(
      page,
      {
        result: (result.fill as { hash: string }).hash,
        original: (photo.fill as { hash: string }).hash,
      },
      { x: 0, y: 0 },
      // Points on the pencil's curve (t = 0.5 and 0.6) and the middle of the box, turned 30° about its corner.
      '(Math.abs(x - 549) < 4 && Math.abs(y - 400) < 4) || (Math.abs(x - 573) < 4 && Math.abs(y - 399) < 4) || (Math.abs(x - 167) < 4 && Math.abs(y - 96) < 4)',
    )
    expect(onStroke.changedInside).toBeGreaterThan(120)
    expect(nodes.find((node) => node.name === 'Pencil')?.visible).toBe(false)
    expect(nodes.find((node) => node.name === 'Tilted')?.visible).toBe(false)
  })

  it('sends only the region around the area of a 4000×3000 photo, at the model’s resolution', async () => {
    const user = await env.createUser(100)
    const proxy = await countingProxy(env.workerUrl)
    const page = await env.openPlugin(user.token, '&samples=0', proxy.url)
    await harness(page, (h) => h.addPhoto('Large photo', 4000, 3000))
    await harness(page, (h) =>
      h.add({
        name: 'Area',
        type: 'ELLIPSE',
        x: 2600,
        y: 400,
        width: 500,
        height: 400,
        colour: [255, 0, 0],
      }),
    )
    await waitForScene(page, (s) => s.nodes.length === 2)
    await selectByName(page, ['Large photo', 'Area'])
    await chooseAction(page, 'Edit area')
    await typePrompt(page, 'A hot-air balloon')
    await generate(page)
    await waitForScene(page, (s) => s.nodes.some((n) => n.provenance !== ''), 60_000)
    const requestBodySize = proxy.sent.get('/v1/images/edit') ?? 0
    await proxy.close()
    const [result] = generated((await scene(page)).nodes)
    const photo = (await scene(page)).nodes.find((node) => node.name === 'Large photo')!
    const size = JSON.parse(result.provenance).size as string
    const original = await page.evaluate(
      async (hash) =>
        (
          await (
            await fetch(
              (window as unknown as { harnessImages: Map<string, string> }).harnessImages.get(
                hash,
              )!,
            )
          ).blob()
        ).size,
      (photo.fill as { hash: string }).hash,
    )
    console.log(
      `edit area on a 4000×3000 photo (${original} bytes as JPEG): request ${size}, multipart body ${requestBodySize} bytes (reference + mask + fields)`,
    )
    const [width, height] = size.split('x').map(Number)
    expect(Math.min(width, height)).toBe(1024)
    expect(requestBodySize).toBeGreaterThan(10_000)
    expect(requestBodySize).toBeLessThan(original)
    expect(await imageSizeOf(page, (result.fill as { hash: string }).hash)).toEqual({
      width: 4000,
      height: 3000,
    })
  })

  it('expands an image to 16:9 with the original’s pixels in place', async () => {
    const user = await env.createUser(100)
    const page = await env.openPlugin(user.token, '&samples=0')
    await harness(page, (h) => h.addImage(true))
    await expect.poll(() => plugin(page).locator('[data-reference]').count()).toBe(1)
    await chooseAction(page, 'Expand')
    await plugin(page).getByRole('radio', { name: '16:9' }).click()
    await expect.poll(() => generateLabel(page)).toBe('Generate 1 · 6 credits')
    await generate(page)
    await waitForScene(page, (s) => s.nodes.some((n) => n.provenance !== ''))
    const nodes = (await scene(page)).nodes
    const photo = nodes.find((node) => node.name === 'Photo')!
    const [result] = generated(nodes)
    expect(result.name).toBe('Photo · expanded')
    expect([result.width, result.height]).toEqual([1067, 600])
    expect(result.x).toBeGreaterThanOrEqual(photo.x + photo.width)
    expect(result.y).toBe(photo.y)
    const compared = await comparePixels(
      page,
      {
        result: (result.fill as { hash: string }).hash,
        original: (photo.fill as { hash: string }).hash,
      },
      { x: 134, y: 0 },
      'false',
    )
    expect(compared.result).toEqual({ width: 1067, height: 600 })
    expect(compared.changedOutside).toBe(0)
    await screenshot(page, 'expand')
  })

  it('removes a background: a cut-out with real transparency over the hidden original', async () => {
    const user = await env.createUser(100)
    const page = await env.openPlugin(user.token, '&samples=0')
    await harness(page, (h) => h.addImage(true))
    await expect.poll(() => plugin(page).locator('[data-reference]').count()).toBe(1)
    await chooseAction(page, 'Remove background')
    await generate(page)
    await waitForScene(page, (s) => s.nodes.some((n) => n.provenance !== ''))
    const nodes = (await scene(page)).nodes
    const photo = nodes.find((node) => node.name === 'Photo')!
    const [result] = generated(nodes)
    expect(result.name).toBe('Photo · cut out')
    expect([result.x, result.y, result.width, result.height]).toEqual([photo.x, photo.y, 800, 600])
    expect(photo.visible).toBe(false)
    const transparent = await page.evaluate(
      async (hash) => {
        const images = (window as unknown as { harnessImages: Map<string, string> }).harnessImages
        const bitmap = await createImageBitmap(await (await fetch(images.get(hash)!)).blob(), {
          premultiplyAlpha: 'none',
        })
        const canvas = new OffscreenCanvas(bitmap.width, bitmap.height)
        const context = canvas.getContext('2d')!
        context.drawImage(bitmap, 0, 0)
        const data = context.getImageData(0, 0, bitmap.width, bitmap.height).data
        let clear = 0
        for (let i = 3; i < data.length; i += 4) clear += data[i] === 0 ? 1 : 0
        return clear
      },
      (result.fill as { hash: string }).hash,
    )
    expect(transparent).toBeGreaterThan(1000)
    await screenshot(page, 'remove-background')
  })

  it('varies a layer from the layer itself: two variations beside it, from a request with it as reference', async () => {
    const user = await env.createUser(100)
    const page = await env.openPlugin(user.token)
    await selectByName(page, ['Product card'])
    await chooseAction(page, 'Vary')
    await expect.poll(() => generateLabel(page)).toBe('Generate 2 · 12 credits')
    await generate(page)
    await waitForScene(page, (s) => s.nodes.filter((n) => n.provenance !== '').length === 2)
    const nodes = (await scene(page)).nodes
    const card = nodes.find((node) => node.name === 'Product card')!
    const results = generated(nodes)
    expect(results.map((node) => node.name)).toEqual([
      'Product card · variation 1',
      'Product card · variation 2',
    ])
    for (const result of results) {
      expect([result.width, result.height, result.y]).toEqual([card.width, card.height, card.y])
      expect(result.x).toBeGreaterThanOrEqual(card.x + card.width)
    }
    expect((await env.account(user.user_id)).ledger.at(-1)?.reason).toBe(
      'edit gpt-image-2 medium x2',
    )
  })

  it('measures a restyle of 4 frames from Generate to the results on the canvas', async () => {
    const user = await env.createUser(100)
    const page = await env.openPlugin(user.token)
    await harness(page, (h) =>
      h.add({ name: 'Fourth', x: 2800, y: 0, width: 600, height: 400, colour: [90, 160, 90] }),
    )
    await waitForScene(page, (s) => s.nodes.some((n) => n.name === 'Fourth'))
    await selectByName(page, ['Landing hero', 'Mobile mockup', 'Product card', 'Fourth'])
    await typePrompt(page, 'As a blueprint')
    await expect.poll(() => generateLabel(page)).toBe('Generate 4 · 24 credits')
    const started = Date.now()
    await generate(page)
    await waitForScene(page, (s) => s.nodes.filter((n) => n.provenance !== '').length === 4)
    console.log(
      `restyle of 4 frames, Generate to all 4 on the canvas: ${Date.now() - started} ms (preview provider, PREVIEW_DELAY_MS=600)`,
    )
  })
})
