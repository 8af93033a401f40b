import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Environment, startEnvironment } from './e2e-environment'
import {
  harness,
  imageSize,
  plugin,
  scene,
  screenshot,
  selectByName,
  typePrompt,
  waitForScene,
} from './plugin-page'
import { cuttingProxy, failingDownloads, heldDownloads } from './test-proxies'

let env: Environment

beforeAll(async () => {
  // Queued for the first 40% of the delay (cancel there refunds all), then accepted and billed.
  // Four generations at once per designer, fewer than the browser's six connections to one host,
  // so the plugin meets the service's limit here as it would over HTTP/2.
  env = await startEnvironment({
    port: 8797,
    previewDelayMs: 6000,
    vars: { MAX_CONCURRENT_PER_USER: '4' },
  })
})

afterAll(async () => {
  await env?.close()
})

describe('the plugin in a browser, against the real local worker', () => {
  it('generates variations from a prompt into new frames of the chosen ratio', async () => {
    const user = await env.createUser(100)
    const page = await env.openPlugin(user.token)
    await expect
      .poll(() => plugin(page).locator('[data-testid="balance"]').textContent())
      .toContain('100 credits')
    await typePrompt(page, 'A citrus soda bottle on a wet studio table, orange and teal')
    await plugin(page).getByRole('radio', { name: '16:9' }).click()
    await plugin(page).getByText('2', { exact: true }).click()
    await expect
      .poll(() => plugin(page).locator('[data-testid="generate"]').textContent())
      .toBe('Generate 2 · 12 credits')
    await plugin(page).locator('[data-testid="generate"]').click()
    await waitForScene(
      page,
      (snapshot) => snapshot.nodes.filter((node) => node.provenance !== '').length === 2,
    )
    const generated = (await scene(page)).nodes.filter((node) => node.provenance !== '')
    for (const node of generated) {
      expect([node.width, node.height]).toEqual([1920, 1080])
      expect(node.fill?.type).toBe('IMAGE')
      const hash = (node.fill as { hash: string }).hash
      expect(await imageSize(page, hash)).toEqual({ width: 1824, height: 1024 })
      expect(JSON.parse(node.provenance)).toMatchObject({
        model: 'gpt-image-2',
        size: '16:9',
        provider: 'preview',
      })
    }
    expect(generated[0].name).toMatch(/^A citrus soda bottle/)
    await expect
      .poll(() => plugin(page).locator('[data-testid="balance"]').textContent())
      .toContain('88 credits')
    await screenshot(page, 'text-to-image')
  })

  it('restyles selected frames combined into one set, with a layer taken out of the list', async () => {
    const user = await env.createUser(100)
    const page = await env.openPlugin(user.token)
    await selectByName(page, ['Landing hero', 'Product card', 'Mobile mockup'])
    await expect.poll(() => plugin(page).locator('[data-reference]').count()).toBe(3)
    await plugin(page).getByLabel('Remove Product card').click()
    await expect.poll(() => plugin(page).locator('[data-reference]').count()).toBe(2)
    await plugin(page).getByText('Combine into one').click()
    await typePrompt(page, 'Restyle as a watercolour illustration')
    await plugin(page).getByRole('radio', { name: '3:2' }).click()
    await expect
      .poll(() => plugin(page).locator('[data-testid="generate"]').textContent())
      .toBe('Generate 1 · 6 credits')
    await plugin(page).locator('[data-testid="generate"]').click()
    await waitForScene(page, (snapshot) =>
      snapshot.nodes.some((node) => node.provenance !== '' && node.fill?.type === 'IMAGE'),
    )
    const account = await env.account(user.user_id)
    expect(account.ledger.at(-1)?.reason).toBe('edit gpt-image-2 medium x1')
    const [result] = (await scene(page)).nodes.filter((node) => node.provenance !== '')
    expect([result.width, result.height]).toEqual([1620, 1080])
    await screenshot(page, 'restyle-combined')
  })

  it('fills several selected layers, each at its own shape', async () => {
    const user = await env.createUser(100)
    const page = await env.openPlugin(user.token)
    await selectByName(page, ['Mobile mockup', 'Product card'])
    await plugin(page).getByRole('radio', { name: 'Create' }).click()
    await plugin(page).getByText('Fill selected layers').click()
    await typePrompt(page, 'Bold abstract gradient background')
    await expect
      .poll(() => plugin(page).locator('[data-testid="generate"]').textContent())
      .toBe('Generate 2 · 12 credits')
    await plugin(page).locator('[data-testid="generate"]').click()
    // Provenance is written with the final image, not with the partial previews before it.
    await waitForScene(page, (snapshot) =>
      ['Mobile mockup', 'Product card'].every(
        (name) => snapshot.nodes.find((node) => node.name === name)?.provenance !== '',
      ),
    )
    const nodes = (await scene(page)).nodes
    const phone = nodes.find((node) => node.name === 'Mobile mockup')!
    const card = nodes.find((node) => node.name === 'Product card')!
    expect([phone.width, phone.height, card.width, card.height]).toEqual([375, 812, 600, 600])
    expect(await imageSize(page, (phone.fill as { hash: string }).hash)).toEqual({
      width: 1024,
      height: 2224,
    })
    expect(await imageSize(page, (card.fill as { hash: string }).hash)).toEqual({
      width: 1024,
      height: 1024,
    })
    expect(JSON.parse(phone.provenance)).toMatchObject({ size: '1024x2224' })
    await screenshot(page, 'fill-selection')
  })

  it('cancels after the partials: canvas, History and balance agree on what was made', async () => {
    const user = await env.createUser(100)
    const page = await env.openPlugin(user.token)
    await typePrompt(page, 'A slow one')
    await plugin(page).getByText('2', { exact: true }).click()
    await plugin(page).locator('[data-testid="generate"]').click()
    await plugin(page).locator('[data-testid="progress"]').waitFor()
    // A partial preview is showing: the upstream has the job, and bills for it.
    await waitForScene(page, (snapshot) =>
      snapshot.nodes.some(
        (node) => node.name.endsWith('(generating…)') && node.fill?.type === 'IMAGE',
      ),
    )
    await screenshot(page, 'in-progress')
    await plugin(page).getByText('Cancel').click()
    await waitForScene(
      page,
      (snapshot) => !snapshot.nodes.some((node) => node.name.endsWith('(generating…)')),
    )
    const placed = (await scene(page)).nodes.filter((node) => node.provenance !== '').length
    await expect
      .poll(() => plugin(page).locator('[role="status"]').textContent())
      .toMatch(
        /cancelled\. (1 image was already being made: it|2 images were already being made: they) will be in History/,
      )
    await expect
      .poll(() => plugin(page).locator('[role="status"]').textContent(), { timeout: 15_000 })
      .toContain('now in History')
    await plugin(page).getByText('History', { exact: true }).click()
    const late = await plugin(page).getByText('Finished after you cancelled').count()
    expect(placed + late).toBe(2)
    // Those placed before the cancel are in History too, as a finished generation's are.
    await expect.poll(() => plugin(page).locator('[data-history]').count()).toBe(2)
    const account = await env.account(user.user_id)
    expect(account.balance).toBe(100 - 6 * (placed + late))
    await expect
      .poll(() =>
        plugin(page)
          .getByText('Make', { exact: true })
          .click()
          .then(() => plugin(page).locator('[data-testid="balance"]').textContent()),
      )
      .toContain(`${account.balance} credits`)
    await screenshot(page, 'cancelled-into-history')
  })

  it('refunds everything when cancelled before the service has accepted the work', async () => {
    const user = await env.createUser(100)
    const page = await env.openPlugin(user.token)
    await typePrompt(page, 'Cancelled at once')
    await plugin(page).locator('[data-testid="generate"]').click()
    await waitForScene(page, (snapshot) =>
      snapshot.nodes.some((node) => node.name.endsWith('(generating…)')),
    )
    await plugin(page).getByText('Cancel').click()
    await expect
      .poll(() => plugin(page).locator('[role="status"]').textContent())
      .toContain('Credits for images that were not made were refunded')
    await expect
      .poll(async () => (await env.account(user.user_id)).balance, { timeout: 10_000 })
      .toBe(100)
    expect((await scene(page)).nodes.filter((node) => node.provenance !== '')).toHaveLength(0)
  })

  it('brings the images of a connection cut off after the partials into History, charged once', async () => {
    const user = await env.createUser(100)
    const proxy = await cuttingProxy(env.workerUrl, '/v1/images/generate', 'event: partial')
    const page = await env.openPlugin(user.token, '', proxy.url)
    await typePrompt(page, 'A dropped connection')
    await plugin(page).getByText('2', { exact: true }).click()
    await plugin(page).locator('[data-testid="generate"]').click()
    // Told first that the connection closed, then, as the model finishes, where the images are.
    await expect
      .poll(() => plugin(page).locator('[role="status"]').textContent(), { timeout: 30_000 })
      .toMatch(/2 images that were already being made are now in History/)
    await waitForScene(
      page,
      (snapshot) => !snapshot.nodes.some((node) => node.name.endsWith('(generating…)')),
    )
    // The model had started: the plugin did not send the request again.
    expect(proxy.keys).toHaveLength(1)
    await proxy.close()
    await plugin(page).getByText('History', { exact: true }).click()
    const placed = (await scene(page)).nodes.filter((node) => node.provenance !== '').length
    const late = await plugin(page).getByText('Finished after you cancelled').count()
    expect(placed + late).toBe(2)
    expect((await env.account(user.user_id)).balance).toBe(100 - 6 * 2)
  })

  it('sends a request cut off before the model started once more, with the same key, charging once', async () => {
    const user = await env.createUser(100)
    const proxy = await cuttingProxy(env.workerUrl, '/v1/images/generate', 'Reserved')
    const page = await env.openPlugin(user.token, '', proxy.url)
    await typePrompt(page, 'A connection that drops at once')
    await plugin(page).locator('[data-testid="generate"]').click()
    await waitForScene(
      page,
      (snapshot) => snapshot.nodes.some((node) => node.provenance !== ''),
      30_000,
    )
    await proxy.close()
    expect(proxy.keys.length).toBeGreaterThanOrEqual(2)
    expect(new Set(proxy.keys).size).toBe(1)
    expect((await scene(page)).nodes.filter((node) => node.provenance !== '')).toHaveLength(1)
    await expect
      .poll(async () => (await env.account(user.user_id)).balance, { timeout: 10_000 })
      .toBe(100 - 6)
  })

  it('restyles ten mockups in one go, no more at once than the service runs for a designer', async () => {
    // Each job takes 6 s here: the service runs four of them at once for this designer.
    const user = await env.createUser(100)
    const page = await env.openPlugin(user.token, '&samples=0')
    const names = Array.from({ length: 10 }, (_, i) => `Screen ${i + 1}`)
    // Runs in the page: each screen is named there too.
    await harness(page, (h) => {
      for (let i = 0; i < 10; i++)
        h.add({
          name: `Screen ${i + 1}`,
          x: i * 600,
          y: 0,
          width: 390,
          height: 844,
          colour: [40, 44, 60 + i * 10],
        })
    })
    await waitForScene(page, (s) => s.nodes.length === 10)
    await selectByName(page, names)
    await expect.poll(() => plugin(page).locator('[data-reference]').count()).toBe(10)
    await typePrompt(page, 'Restyle as a risograph print')
    await expect
      .poll(() => plugin(page).locator('[data-testid="generate"]').textContent())
      .toBe('Generate 10 · 60 credits')
    await plugin(page).locator('[data-testid="generate"]').click()
    await waitForScene(
      page,
      (s) => s.nodes.filter((n) => n.provenance !== '').length === 10,
      60_000,
    )
    await expect
      .poll(() => plugin(page).locator('[role="status"]').textContent())
      .toContain('10 images')
    const account = await env.account(user.user_id)
    expect(account.balance).toBe(100 - 60)
    expect(account.ledger.filter((entry) => entry.reason.startsWith('refund'))).toHaveLength(0)
  })

  it('tries a failed download once more, and places the image', async () => {
    const user = await env.createUser(100)
    const once = await failingDownloads(env.workerUrl, 1)
    const page = await env.openPlugin(user.token, '', once.url)
    await typePrompt(page, 'A download that fails once')
    await plugin(page).locator('[data-testid="generate"]').click()
    await expect
      .poll(() => plugin(page).locator('[role="status"]').textContent(), { timeout: 20_000 })
      .toBe('Placed 1 image on the canvas.')
    expect(once.failed()).toBe(1)
    await once.close()
    expect((await env.account(user.user_id)).balance).toBe(100 - 6)
  })

  it('places the images when Cancel comes after the last one was made, and says they were placed', async () => {
    const user = await env.createUser(100)
    const held = await heldDownloads(env.workerUrl)
    const page = await env.openPlugin(user.token, '', held.url)
    await typePrompt(page, 'A cancel too late to stop anything')
    await plugin(page).locator('[data-testid="generate"]').click()
    // The image is made and charged; only its download is still on its way.
    await expect.poll(() => held.waiting(), { timeout: 20_000 }).toBe(1)
    await page.keyboard.press('Escape')
    held.release()
    await expect
      .poll(() => plugin(page).locator('[role="status"]').textContent(), { timeout: 20_000 })
      .toBe('Placed 1 image on the canvas.')
    const placed = (await scene(page)).nodes.filter((node) => node.provenance !== '')
    expect(placed).toHaveLength(1)
    expect(placed[0].fill?.type).toBe('IMAGE')
    await held.close()
    expect((await env.account(user.user_id)).balance).toBe(100 - 6)
  })

  it('says when an image could not be downloaded, and the next open brings it to History', async () => {
    // Another designer than any other test's: the harness pages share their storage, and this
    // one's next open must bring back only its own image.
    const other = await env.createUser(100)
    const twice = await failingDownloads(env.workerUrl, 2)
    const page = await env.openPlugin(other.token, '', twice.url)
    await typePrompt(page, 'A download that fails twice')
    await plugin(page).locator('[data-testid="generate"]').click()
    await expect
      .poll(() => plugin(page).locator('[role="status"]').textContent(), { timeout: 20_000 })
      .toMatch(/^1 image could not be downloaded: it will be in History the next time/)
    expect(twice.failed()).toBe(2)
    // The next open brings it into History.
    await harness(page, (h) => h.reopen())
    await plugin(page).getByText('History', { exact: true }).click()
    await expect
      .poll(() => plugin(page).getByText('Finished after Promptframe was closed').count(), {
        timeout: 20_000,
      })
      .toBe(1)
    await twice.close()
    expect((await env.account(other.user_id)).balance).toBe(100 - 6)
  }, 150_000)

  it('refuses up front when the credits do not cover the cost', async () => {
    const user = await env.createUser(4)
    const page = await env.openPlugin(user.token)
    await typePrompt(page, 'Too expensive')
    await plugin(page).getByText('High').click()
    await expect
      .poll(() => plugin(page).locator('[data-testid="generate"]').isDisabled())
      .toBe(true)
    await expect
      .poll(() =>
        plugin(page).getByText('This needs 12 credits and you have 4 credits').isVisible(),
      )
      .toBe(true)
    await screenshot(page, 'out-of-credits')
  })

  it('tells the designer when the token is wrong, as the reason Generate waits', async () => {
    const page = await env.openPlugin('pf_not-a-real-token')
    await expect
      .poll(() => plugin(page).locator('[data-testid="status"]').textContent())
      .toContain('Your token was not accepted')
    expect(await plugin(page).locator('[data-testid="generate"]').isDisabled()).toBe(true)
    await screenshot(page, 'wrong-token')
  })

  it('enhances a rough prompt into an editable brief, keeping quoted text', async () => {
    const user = await env.createUser(10)
    const page = await env.openPlugin(user.token)
    await typePrompt(page, 'poster of a soda can, studio, headline "Fresh Drop"')
    await plugin(page).getByText('Enhance').click()
    await plugin(page).locator('[data-testid="brief-review"]').waitFor()
    const brief = await plugin(page).locator('[data-testid="brief-review"] textarea').inputValue()
    expect(brief).toContain('Subject: poster of a soda can')
    expect(brief).toContain('"Fresh Drop"')
    await screenshot(page, 'enhance')
    await plugin(page).getByText('Use this prompt').click()
    await expect
      .poll(() => plugin(page).locator('textarea').first().inputValue())
      .toContain('Lighting:')
  })

  it('places a result from history again', async () => {
    const user = await env.createUser(20)
    const page = await env.openPlugin(user.token)
    await typePrompt(page, 'Teal wave pattern')
    await plugin(page).locator('[data-testid="generate"]').click()
    await waitForScene(
      page,
      (snapshot) => snapshot.nodes.filter((node) => node.provenance !== '').length === 1,
    )
    await plugin(page).getByText('History', { exact: true }).click()
    await plugin(page).locator('[data-history]').first().waitFor()
    await plugin(page).getByText('Place again').first().click()
    await waitForScene(
      page,
      (snapshot) => snapshot.nodes.filter((node) => node.provenance !== '').length === 2,
    )
    const [first, again] = (await scene(page)).nodes.filter((node) => node.provenance !== '')
    expect(again.fill).toEqual(first.fill)
    expect(again.x).toBeGreaterThanOrEqual(first.x + first.width)
    await screenshot(page, 'history')
  })

  it('reopens prefilled from the Vary relaunch button of a generated layer', async () => {
    const user = await env.createUser(100)
    const page = await env.openPlugin(user.token, '&command=vary&prompt=A%20lighthouse%20at%20dusk')
    await expect
      .poll(() => plugin(page).locator('textarea').first().inputValue())
      .toBe('A lighthouse at dusk')
    await expect
      .poll(() => plugin(page).locator('[data-testid="generate"]').textContent())
      .toBe('Generate 2 · 24 credits')
    expect(
      await plugin(page).getByRole('radio', { name: 'Vary' }).getAttribute('aria-checked'),
    ).toBe('true')
  })

  it('reopens in restyle mode from the Restyle relaunch button, with the layer as reference', async () => {
    const user = await env.createUser(100)
    const page = await env.openPlugin(user.token, '&command=restyle')
    await expect.poll(() => plugin(page).locator('[data-reference]').count()).toBe(1)
    await expect.poll(() => plugin(page).getByText('What should change?').isVisible()).toBe(true)
  })

  it('renders in the dark theme', async () => {
    const user = await env.createUser(10)
    const page = await env.openPlugin(user.token, '&theme=dark')
    const background = await plugin(page)
      .locator('body')
      .evaluate((body) => getComputedStyle(body).backgroundColor)
    expect(background).toBe('rgb(44, 44, 44)')
    await screenshot(page, 'dark-theme')
  })
})
