import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Environment, startEnvironment } from './e2e-environment'
import { harness, plugin, pluginFrame, scene, screenshot, typePrompt } from './plugin-page'

let env: Environment

beforeAll(async () => {
  // Queued for the first 40% of the delay, so an Esc soon after Generate cancels before any charge.
  // Queued for 4 s of the 10 (40%): long enough for a cancel from the keyboard to reach the
  // worker before the model would have started, on a loaded machine too.
  env = await startEnvironment({ port: 8801, previewDelayMs: 10_000 })
})

afterAll(async () => {
  await env?.close()
})

const generated = (page: Page) =>
  scene(page).then((snapshot) => snapshot.nodes.filter((node) => node.provenance !== ''))
const status = (page: Page) => plugin(page).locator('[data-testid="status"]')
const statusKind = (page: Page) => status(page).getAttribute('data-kind')
const generateButton = (page: Page) => plugin(page).locator('[data-testid="generate"]')
const balanceText = (page: Page) => plugin(page).locator('[data-testid="balance"]').textContent()
const focusedTestId = (page: Page) =>
  pluginFrame(page).evaluate(() => document.activeElement?.getAttribute('data-testid') ?? '')
const checked = (page: Page, name: string) =>
  plugin(page).getByRole('radio', { name, exact: true }).first().isChecked()
/** Radios drawn as tiles (ours) report aria-checked; native ones (Figma's controls) are checked. */
const tileChecked = (page: Page, name: string) =>
  plugin(page).getByRole('radio', { name, exact: true }).first().getAttribute('aria-checked')
const wellFormedWrongToken = `pf_u_doesnotexist.${'x'.repeat(40)}`

async function openSettings(page: Page) {
  await plugin(page).getByText('Settings', { exact: true }).click()
  await plugin(page).locator('[data-testid="token"]').waitFor()
}

/** What the focused control is called, as a screen reader would announce it. */
async function focusedName(page: Page): Promise<string> {
  const snapshot = await plugin(page).locator(':focus').ariaSnapshot()
  return snapshot.split('\n')[0]
}

/**
 * The part of the page a focus ring would be drawn in: the focused control's box, or the label
 * around it when the control itself is a hidden input (Figma's checkboxes, toggles and tabs).
 */
async function focusClip(page: Page) {
  const handle = await plugin(page).locator(':focus').elementHandle()
  const box = await handle!.evaluate((element) => {
    let target: Element | null = element
    while (target) {
      const rect = target.getBoundingClientRect()
      if (rect.width >= 8 && rect.height >= 8)
        return { x: rect.x, y: rect.y, width: rect.width, height: rect.height }
      target = target.parentElement
    }
    return null
  })
  const frame = await page.locator('#plugin').boundingBox()
  return {
    x: frame!.x + box!.x - 4,
    y: frame!.y + box!.y - 4,
    width: box!.width + 8,
    height: box!.height + 8,
  }
}

interface TabStop {
  name: string
  testId: string
  /** Whether the control looked different while it had the keyboard focus. */
  ringVisible: boolean
}

/** Presses Tab until `until` is focused, noting each stop's name and whether focus shows. */
async function walkTabs(page: Page, until: string, limit = 40): Promise<TabStop[]> {
  const stops: TabStop[] = []
  for (let step = 0; step < limit; step++) {
    const clip = await focusClip(page)
    const focusedShot = await page.screenshot({ clip })
    const stop = { name: await focusedName(page), testId: await focusedTestId(page) }
    await page.keyboard.press('Tab')
    const blurredShot = await page.screenshot({ clip })
    stops.push({ ...stop, ringVisible: !focusedShot.equals(blurredShot) })
    if ((await focusedTestId(page)) === until) {
      const last = await focusClip(page)
      const lastShot = await page.screenshot({ clip: last })
      const lastName = await focusedName(page)
      await pluginFrame(page).evaluate(() => (document.activeElement as HTMLElement).blur())
      stops.push({
        name: lastName,
        testId: until,
        ringVisible: !lastShot.equals(await page.screenshot({ clip: last })),
      })
      return stops
    }
  }
  throw new Error(`${until} not reached in ${limit} Tab presses`)
}

describe('a flow that feels native to Figma', () => {
  it('opens with the prompt focused; Ctrl+Enter generates and Esc cancels, all from the keyboard', async () => {
    const user = await env.createUser(100)
    const page = await env.openPlugin(user.token)
    await expect.poll(() => focusedTestId(page)).toBe('prompt')
    await expect.poll(() => balanceText(page)).toContain('100 credits')
    await page.keyboard.type('A lighthouse at dusk, long exposure')
    await page.keyboard.press('Control+Enter')
    await expect.poll(async () => (await generated(page)).length, { timeout: 30_000 }).toBe(1)
    await expect.poll(() => status(page).textContent()).toBe('Placed 1 image on the canvas.')
    await expect.poll(() => balanceText(page)).toContain('94 credits')

    await page.keyboard.press('Control+Enter')
    await plugin(page).locator('[data-testid="progress"]').waitFor()
    await page.keyboard.press('Escape')
    await expect.poll(() => status(page).textContent()).toContain('Generation cancelled')
    // Cancelled while still queued: nothing was made, nothing is charged.
    await expect.poll(() => balanceText(page)).toContain('94 credits')
    expect((await env.account(user.user_id)).balance).toBe(94)
    expect(await generated(page)).toHaveLength(1)
  })

  it('starts one generation for a double Ctrl+Enter, and charges once', async () => {
    const user = await env.createUser(100)
    const page = await env.openPlugin(user.token)
    await expect.poll(() => focusedTestId(page)).toBe('prompt')
    await page.keyboard.type('A lighthouse, pressed twice')
    // Two presses in one moment, before the main thread has answered for the first: in Figma the
    // main thread may be busy, exporting thumbnails, say.
    await pluginFrame(page).evaluate(() => {
      for (let press = 0; press < 2; press++)
        window.dispatchEvent(
          new KeyboardEvent('keydown', { key: 'Enter', ctrlKey: true, bubbles: true }),
        )
    })
    await expect.poll(async () => (await generated(page)).length, { timeout: 30_000 }).toBe(1)
    await expect.poll(() => status(page).textContent()).toBe('Placed 1 image on the canvas.')
    const account = await env.account(user.user_id)
    expect(account.ledger.filter((entry) => entry.reason.startsWith('generate'))).toHaveLength(1)
    expect(account.balance).toBe(94)
    expect(await generated(page)).toHaveLength(1)
  })

  it('keeps the progress and Cancel in view on History and Settings while a generation runs', async () => {
    const user = await env.createUser(100)
    const page = await env.openPlugin(user.token)
    await typePrompt(page, 'A paper boat on a puddle')
    await generateButton(page).click()
    const progress = plugin(page).locator('[data-testid="progress"]')
    await progress.waitFor()
    await plugin(page).getByText('History', { exact: true }).click()
    expect(await plugin(page).getByText('Your generations appear here').isVisible()).toBe(true)
    expect(await progress.isVisible()).toBe(true)
    await plugin(page).getByText('Settings', { exact: true }).click()
    expect(await plugin(page).locator('[data-testid="token"]').isVisible()).toBe(true)
    expect(await progress.isVisible()).toBe(true)
    await progress.getByRole('button', { name: 'Cancel' }).click()
    await expect.poll(() => status(page).textContent()).toContain('Generation cancelled')
    expect(await progress.count()).toBe(0)
    expect(await generated(page)).toHaveLength(0)
  })

  it('reaches Generate from the prompt in a few Tab presses; every stop is named and shows focus', async () => {
    const user = await env.createUser(100)
    const page = await env.openPlugin(user.token)
    await expect.poll(() => balanceText(page)).toContain('100 credits')
    await typePrompt(page, 'A teal wave pattern')
    await plugin(page).locator('[data-testid="prompt"]').focus()
    const fromPrompt = await walkTabs(page, 'generate')
    const presses = fromPrompt.length - 1
    console.log(
      `Tab presses from the prompt to Generate: ${presses} (${fromPrompt.map((stop) => stop.name).join(' → ')})`,
    )
    expect(presses).toBeLessThanOrEqual(5)

    // The whole form, from its first control: the tabs, the action, the ratio, the options.
    await plugin(page).getByRole('radio', { name: 'Make' }).focus()
    const all = await walkTabs(page, 'generate')
    console.log(
      `Tab stops in the Make tab: ${all.length} (${all.map((stop) => stop.name).join(' → ')})`,
    )
    for (const stop of all) {
      expect(stop.name, stop.name).toMatch(/^- '?\w+ "[^"]+"/)
      expect(stop.ringVisible, `focus ring of ${stop.name}`).toBe(true)
    }
    // Settings too: every field and button named, every one showing focus.
    await plugin(page).getByText('Settings', { exact: true }).click()
    await plugin(page).locator('[data-testid="worker-url"]').focus()
    for (const stop of await walkTabs(page, 'test-connection')) {
      expect(stop.name, stop.name).toMatch(/^- '?\w+ "[^"]+"/)
      expect(stop.ringVisible, `focus ring of ${stop.name}`).toBe(true)
    }
    await plugin(page).getByText('Make', { exact: true }).click()

    // The ratio picker is one stop, and arrow keys move within it.
    expect(all.filter((stop) => stop.name.includes('radio "1:1"')).length).toBe(1)
    await plugin(page).getByRole('radio', { name: '1:1', exact: true }).focus()
    await page.keyboard.press('ArrowRight')
    expect(await tileChecked(page, '4:5')).toBe('true')
  })

  it('keeps every choice and the prompt across a reopen', async () => {
    const user = await env.createUser(100)
    const page = await env.openPlugin(user.token)
    await expect.poll(() => balanceText(page)).toContain('100 credits')
    await plugin(page).getByRole('radio', { name: 'Create', exact: true }).click()
    await plugin(page).getByRole('radio', { name: '16:9', exact: true }).click()
    await plugin(page).getByText('High', { exact: true }).click()
    await plugin(page).getByText('3', { exact: true }).click()
    await plugin(page).getByRole('checkbox', { name: 'Transparent background' }).check()
    await typePrompt(page, 'A paper-cut forest, layered')
    await openSettings(page)
    await plugin(page)
      .getByRole('checkbox', { name: /AI-generated/ })
      .check()
    await plugin(page).getByRole('button', { name: 'Save' }).click()
    await expect.poll(() => status(page).textContent()).toContain('Connected as E2E designer')
    await page.waitForTimeout(600) // the draft is written once typing pauses

    await harness(page, (h) => h.reopen())
    await generateButton(page).waitFor()
    await expect
      .poll(() => plugin(page).locator('textarea').first().inputValue())
      .toBe('A paper-cut forest, layered')
    expect(await tileChecked(page, 'Create')).toBe('true')
    expect(await tileChecked(page, '16:9')).toBe('true')
    expect(await checked(page, 'High')).toBe(true)
    expect(await checked(page, '3')).toBe(true)
    expect(
      await plugin(page).getByRole('checkbox', { name: 'Transparent background' }).isChecked(),
    ).toBe(true)
    await expect.poll(() => generateButton(page).textContent()).toBe('Generate 3 · 36 credits')
    await openSettings(page)
    expect(
      await plugin(page)
        .getByRole('checkbox', { name: /AI-generated/ })
        .isChecked(),
    ).toBe(true)
  })

  it('says nothing is wrong before the designer acts, and one thing when it is', async () => {
    const user = await env.createUser(4)
    const page = await env.openPlugin(user.token)
    await expect.poll(() => balanceText(page)).toContain('4 credits')
    expect(await statusKind(page)).toBe('hint')
    expect(await plugin(page).locator('[role="alert"]').count()).toBe(0)
    expect(await generateButton(page).isDisabled()).toBe(true)
    await page.keyboard.press('Control+Enter')
    expect(await statusKind(page)).toBe('error')
    expect(await status(page).textContent()).toBe('Describe the image you want first.')

    await typePrompt(page, 'A bowl of ramen, overhead')
    await expect.poll(() => generateButton(page).textContent()).toBe('Generate 1 · 6 credits')
    expect(await generateButton(page).isDisabled()).toBe(true)
    const page_text = await plugin(page).locator('body').innerText()
    expect(page_text.match(/credits and you have/g)).toHaveLength(1)
    expect(page_text).not.toContain('Not enough credits')
    await screenshot(page, 'shortfall')
  })

  it('clears the balance when the token or address changes, until the new one has answered', async () => {
    const user = await env.createUser(100)
    const page = await env.openPlugin(user.token)
    await expect.poll(() => balanceText(page)).toContain('100 credits')
    await openSettings(page)
    await plugin(page).locator('[data-testid="token"]').fill(wellFormedWrongToken)
    await plugin(page).getByRole('button', { name: 'Save' }).click()
    await expect.poll(() => status(page).textContent()).toContain('Your token was not accepted')
    expect(await balanceText(page)).toBe('')
    expect(await generateButton(page).isDisabled()).toBe(true)

    await openSettings(page)
    await plugin(page).locator('[data-testid="token"]').fill(user.token)
    await plugin(page).locator('[data-testid="worker-url"]').fill('http://localhost:9')
    await plugin(page).getByRole('button', { name: 'Save' }).click()
    await expect.poll(() => status(page).textContent()).toContain('reach the Promptframe service')
    expect(await balanceText(page)).toBe('')
    await typePrompt(page, 'A lighthouse')
    expect(await generateButton(page).isDisabled()).toBe(true)
  })

  it('tests the connection: the account’s name and balance, or what is wrong', async () => {
    const user = await env.createUser(42)
    const page = await env.openPlugin(user.token)
    await openSettings(page)
    await plugin(page).getByRole('button', { name: 'Test connection' }).click()
    await expect
      .poll(() => status(page).textContent())
      .toBe('Connected as E2E designer, with 42 credits.')
    await screenshot(page, 'test-connection')

    await plugin(page).locator('[data-testid="token"]').fill(wellFormedWrongToken)
    await plugin(page).getByRole('button', { name: 'Test connection' }).click()
    await expect.poll(() => status(page).textContent()).toContain('Your token was not accepted')
    expect(await statusKind(page)).toBe('error')

    await plugin(page).locator('[data-testid="token"]').fill('')
    await plugin(page).getByRole('button', { name: 'Save' }).click()
    expect(await plugin(page).locator('[data-testid="token-problem"]').textContent()).toBe(
      'Paste the token your team admin gave you.',
    )
    await plugin(page).locator('[data-testid="token"]').fill('not a token')
    expect(await plugin(page).locator('[data-testid="token-problem"]').textContent()).toContain(
      'That is not a Promptframe token',
    )
  })

  it('keeps the brief in Make when the designer switches to another tab after Enhance', async () => {
    const user = await env.createUser(10)
    const page = await env.openPlugin(user.token)
    await typePrompt(page, 'poster of a soda can')
    await plugin(page).getByRole('button', { name: 'Enhance' }).click()
    await plugin(page).locator('[data-testid="brief-review"]').waitFor()
    await plugin(page).getByText('History', { exact: true }).click()
    await expect.poll(() => plugin(page).locator('[data-testid="brief-review"]').count()).toBe(0)
    expect(await plugin(page).getByText('Your generations appear here').isVisible()).toBe(true)
    await plugin(page).getByText('Settings', { exact: true }).click()
    expect(await plugin(page).locator('[data-testid="brief-review"]').count()).toBe(0)
    expect(await plugin(page).locator('[data-testid="token"]').isVisible()).toBe(true)
    await plugin(page).getByText('Make', { exact: true }).click()
    await plugin(page).locator('[data-testid="brief-review"]').waitFor()
  })

  it('confirms Place again, Reuse and Copy, each replacing the last message', async () => {
    const user = await env.createUser(100)
    const page = await env.openPlugin(user.token)
    await typePrompt(page, 'Teal wave pattern')
    await plugin(page).getByRole('radio', { name: '9:16', exact: true }).click()
    await generateButton(page).click()
    await expect.poll(async () => (await generated(page)).length, { timeout: 30_000 }).toBe(1)
    await expect.poll(() => status(page).textContent()).toBe('Placed 1 image on the canvas.')

    await plugin(page).getByText('History', { exact: true }).click()
    await expect.poll(() => status(page).count()).toBe(0)
    await plugin(page).getByRole('button', { name: 'Place again' }).first().click()
    await expect
      .poll(() => status(page).textContent())
      .toBe('Placed the image on the canvas again, and selected it.')
    expect(await generated(page)).toHaveLength(2)
    await screenshot(page, 'place-again')

    await plugin(page).getByRole('button', { name: 'Copy prompt' }).first().click()
    await expect.poll(() => status(page).textContent()).toBe('Copied the prompt.')

    // Reuse brings back the ratio too, after the form moved on.
    await plugin(page).getByText('Make', { exact: true }).click()
    await plugin(page).getByRole('radio', { name: 'Create', exact: true }).click()
    await plugin(page).getByRole('radio', { name: '1:1', exact: true }).click()
    await typePrompt(page, 'something else')
    await plugin(page).getByText('History', { exact: true }).click()
    await plugin(page).getByRole('button', { name: 'Reuse' }).first().click()
    await expect
      .poll(() => status(page).textContent())
      .toBe('Reused the prompt, model, ratio and quality of that image.')
    expect(await plugin(page).locator('textarea').first().inputValue()).toBe('Teal wave pattern')
    expect(await tileChecked(page, '9:16')).toBe('true')
  })

  it('fits the Make form in the default window, and grows the window for a longer one', async () => {
    const user = await env.createUser(100)
    const page = await env.openPlugin(user.token)
    await expect.poll(() => balanceText(page)).toContain('100 credits')
    const layout = () =>
      pluginFrame(page).evaluate(() => {
        const scroller = document.querySelector<HTMLElement>('[data-scroll]')!
        const last = scroller.lastElementChild!.getBoundingClientRect()
        return {
          window: window.innerHeight,
          overflow: scroller.scrollHeight - scroller.clientHeight,
          form: Math.round(last.bottom + 12),
          page: Math.round(document.body.scrollHeight),
        }
      })
    const create = await layout()
    console.log(
      `Create form at the default size: window ${create.window} px, content ${create.form} px above the prompt, no scrolling: ${create.overflow === 0}`,
    )
    expect(create.window).toBe(660)
    expect(create.overflow).toBe(0)

    // Restyle of a selected frame, with the prompt in structured fields: more than 660 px.
    await harness(page, (h) => h.addSample('frame', true))
    await plugin(page).getByRole('radio', { name: 'Restyle', exact: true }).click()
    await plugin(page).getByRole('checkbox', { name: 'Structured' }).check()
    await expect.poll(async () => (await layout()).window).toBeGreaterThan(660)
    const grown = await layout()
    console.log(`Restyle with structured fields: the window grew to ${grown.window} px`)
    expect(grown.window).toBeLessThanOrEqual(860)
    expect(grown.overflow).toBe(0)
    await generateButton(page).waitFor()
    await screenshot(page, 'window-grown')
    await plugin(page).getByRole('checkbox', { name: 'Structured' }).uncheck()
    await plugin(page).getByRole('radio', { name: 'Create', exact: true }).click()
    await expect.poll(async () => (await layout()).window).toBe(660)
  })

  it('switches theme in place, keeping what the designer typed, with Figma’s dark colours', async () => {
    const user = await env.createUser(100)
    const errors: string[] = []
    const page = await env.browser.newPage({ viewport: { width: 1400, height: 860 } })
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text())
    })
    page.on('pageerror', (error) => errors.push(error.message))
    await page.goto(
      `${env.harnessUrl}/?token=${encodeURIComponent(user.token)}&worker=${encodeURIComponent(env.workerUrl)}`,
    )
    await generateButton(page).waitFor()
    await expect.poll(() => balanceText(page)).toContain('100 credits')
    await typePrompt(page, 'A quiet harbour at dawn')
    await screenshot(page, 'flow-light')
    await harness(page, (h) => h.setTheme('dark'))
    const look = () =>
      pluginFrame(page).evaluate(() => ({
        dark: document.documentElement.classList.contains('figma-dark'),
        background: getComputedStyle(document.body).backgroundColor,
      }))
    await expect.poll(look).toEqual({ dark: true, background: 'rgb(44, 44, 44)' })
    expect(await plugin(page).locator('textarea').first().inputValue()).toBe(
      'A quiet harbour at dawn',
    )
    await screenshot(page, 'flow-dark')
    // A disabled control reads as disabled in the dark theme, not as full white.
    await typePrompt(page, '')
    const disabledText = await generateButton(page).evaluate(
      (button) => getComputedStyle(button).color,
    )
    expect(disabledText).not.toBe('rgb(255, 255, 255)')
    await screenshot(page, 'flow-dark-disabled')
    expect(errors).toEqual([])
    await page.close()
  })
})
