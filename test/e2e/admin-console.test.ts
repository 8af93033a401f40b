import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ADMIN_TOKEN, type Environment, ROOT, startEnvironment } from './e2e-environment'
import { plugin, screenshot, typePrompt, waitForScene } from './plugin-page'

let env: Environment

beforeAll(async () => {
  env = await startEnvironment({ port: 8841, previewDelayMs: 0 })
})

afterAll(async () => {
  await env?.close()
})

const consoleStatus = (page: Page) => page.locator('[data-testid="console-status"]')
const row = (page: Page, name: string) => page.locator('tr', { hasText: name })

async function signIn(page: Page, token: string) {
  await page.getByLabel('Admin token').fill(token)
  await page.getByLabel('Admin token').press('Enter')
}

describe('the team admin console', () => {
  it('signs in, creates a user, grants, charts, exports, rotates, turns off and signs out', async () => {
    const context = await env.browser.newContext({ viewport: { width: 1280, height: 900 } })
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: env.workerUrl })
    const page = await context.newPage()
    const problems: string[] = []
    // Any script error or Content-Security-Policy violation; the 401 of the wrong token is expected.
    page.on('console', (message) => {
      if (message.type() === 'error' && !message.text().includes('status of 401'))
        problems.push(message.text())
    })
    page.on('pageerror', (error) => problems.push(error.message))
    await page.goto(`${env.workerUrl}/admin`)

    await signIn(page, 'not-the-admin-token-but-long-enough-to-try')
    await expect
      .poll(() => page.getByRole('alert').textContent())
      .toBe('That admin token is not valid.')
    await screenshot(page, 'console-sign-in')
    await signIn(page, ADMIN_TOKEN)
    await page.getByRole('heading', { name: 'Create a user' }).waitFor()

    // Create a user; the token is shown once, and Copy puts it on the clipboard.
    await page.getByLabel('Name').fill('Ada Lovelace')
    await page.getByLabel('Starting credits').fill('50')
    await page.getByRole('button', { name: 'Create user' }).click()
    const token = await page.locator('[data-testid="revealed-token"]').inputValue()
    expect(token).toMatch(/^pf_u_/)
    await page.getByRole('button', { name: 'Copy' }).click()
    await expect.poll(() => page.evaluate(() => navigator.clipboard.readText())).toBe(token)
    await page.getByRole('button', { name: 'Done' }).click()
    expect(await page.locator('[data-testid="revealed-token"]').count()).toBe(0)

    // Grant credits with a reason; the table and the ledger follow.
    await page.getByLabel('Credits', { exact: true }).fill('25')
    await page.getByLabel('Reason').fill('Launch campaign')
    await page.getByRole('button', { name: 'Grant' }).click()
    await expect
      .poll(() => consoleStatus(page).textContent())
      .toBe('Granted 25 credits: Ada Lovelace now has 75.')
    await expect.poll(() => row(page, 'Ada Lovelace').first().textContent()).toContain('75')
    await expect
      .poll(() => page.locator('[data-testid="ledger"]').textContent())
      .toContain('admin: Launch campaign')

    // Ada generates in the plugin; the console's chart and CSV count it.
    const pluginPage = await env.openPlugin(token)
    await typePrompt(pluginPage, 'A paper boat on a pond')
    await plugin(pluginPage).locator('[data-testid="generate"]').click()
    await waitForScene(pluginPage, (s) => s.nodes.some((node) => node.provenance !== ''))
    await page.reload()
    await page.getByRole('heading', { name: 'Usage, last 30 days' }).waitFor()
    const today = new Date().toISOString().slice(0, 10)
    await expect
      .poll(() => page.locator(`rect[data-day="${today}"]`).getAttribute('data-credits'))
      .toBe('6')
    await page.getByLabel('Show').selectOption({ label: 'Ada Lovelace' })
    await expect
      .poll(() => page.locator('[data-testid="usage-total"]').textContent())
      .toContain('6 credits and 1 image from')
    await screenshot(page, 'console-usage')
    const download = page.waitForEvent('download')
    await page.getByRole('button', { name: 'Export CSV' }).click()
    const csv = readFileSync((await (await download).path())!, 'utf8')
    expect(csv.split('\r\n')[0]).toBe('day,user_id,name,credits,images')
    expect(csv).toContain(`${today},${token.slice(3, token.indexOf('.'))},Ada Lovelace,6,1`)

    // Rotate: the new token is shown once and the old one is refused at once.
    await row(page, 'Ada Lovelace').getByRole('button', { name: 'Ada Lovelace' }).click()
    await page.getByRole('button', { name: 'Rotate token' }).click()
    await page.getByRole('button', { name: 'Rotate now' }).click()
    const rotated = await page.locator('[data-testid="revealed-token"]').inputValue()
    expect(rotated).not.toBe(token)
    const withOld = await fetch(`${env.workerUrl}/v1/account`, {
      headers: { Authorization: `Bearer ${token}` },
    })
    expect(withOld.status).toBe(401)

    // Turn Ada off: the plugin with her new token says so, in words for her.
    await page.getByRole('button', { name: 'Turn off' }).click()
    await expect.poll(() => row(page, 'Ada Lovelace').first().textContent()).toContain('Off')
    await page.getByRole('button', { name: 'Done' }).click()
    await screenshot(page, 'console-user')
    const offPage = await env.openPlugin(rotated)
    await expect
      .poll(() => plugin(offPage).locator('[data-testid="status"]').textContent())
      .toBe('Your Promptframe access is turned off; ask your team admin.')
    await screenshot(offPage, 'plugin-access-off')

    // Sign out: the token is gone from the tab; nothing kept it anywhere else.
    await page.getByRole('button', { name: 'Sign out' }).click()
    await page.getByLabel('Admin token').waitFor()
    expect(await page.evaluate(() => sessionStorage.length)).toBe(0)
    expect(await page.evaluate(() => localStorage.length)).toBe(0)
    expect(await context.cookies()).toEqual([])
    expect(page.url()).toBe(`${env.workerUrl}/admin`)
    expect(problems).toEqual([])
    await context.close()
  })
})

describe('npm run admin', () => {
  it('has the console’s commands: list, disable, enable, rotate, allowance, usage', async () => {
    const admin = (...args: string[]) => {
      const run = spawnSync(
        process.execPath,
        ['scripts/admin.mjs', ...args, '--url', env.workerUrl, '--admin-token', ADMIN_TOKEN],
        { cwd: ROOT, encoding: 'utf8' },
      )
      return { code: run.status, out: run.stdout, err: run.stderr }
    }
    const created = admin('create-user', '--name', 'Grace Hopper', '--credits', '40')
    expect(created.code).toBe(0)
    const userId = created.out.match(/\((u_[^)]+)\)/)![1]
    const token = created.out.match(/Token \(shown once\): (\S+)/)![1]
    expect(admin('grant', userId, '--delta', '-5', '--reason', 'correction').out).toContain(
      'Grace Hopper now has 35 credits.',
    )
    expect(admin('list').out).toMatch(new RegExp(`${userId}\\s+Grace Hopper\\s+35\\s+0\\s+-\\s+on`))
    expect(admin('disable', userId).out).toContain('Grace Hopper is turned off')
    const account = (bearer: string) =>
      fetch(`${env.workerUrl}/v1/account`, { headers: { Authorization: `Bearer ${bearer}` } })
    expect((await account(token)).status).toBe(403)
    expect(admin('enable', userId).out).toContain('Grace Hopper is turned on')
    expect((await account(token)).status).toBe(200)
    const rotated = admin('rotate', userId).out.match(/Token \(shown once\): (\S+)/)![1]
    expect((await account(token)).status).toBe(401)
    expect((await account(rotated)).status).toBe(200)
    expect(admin('allowance', userId, '--monthly', '300').out).toContain('topped up to 300 credits')
    expect(admin('list').out).toMatch(
      new RegExp(`${userId}\\s+Grace Hopper\\s+35\\s+0\\s+300\\s+on`),
    )
    const csv = admin('usage', '--csv')
    expect(csv.code).toBe(0)
    expect(csv.out.split('\r\n')[0]).toBe('day,user_id,name,credits,images')
    const mistake = admin('allowance', userId, '--monthly', 'lots')
    expect(mistake.code).toBe(1)
    expect(mistake.err).toContain('--monthly takes a number of credits')
    expect(mistake.err).not.toContain('    at ')
  })
})
