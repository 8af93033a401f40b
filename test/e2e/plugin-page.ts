import { join } from 'node:path'
import type { Frame, Page } from 'playwright-core'
import { ARTIFACTS } from './e2e-environment'
import type { FrameSpec, SceneSnapshot } from './harness/scene-snapshot'

/** What the harness page offers tests (test/e2e/harness/harness-page.ts). */
export interface HarnessApi {
  add(spec: FrameSpec, select?: boolean): void
  addSample(name: 'frame' | 'phone' | 'card', select?: boolean): void
  setTheme(theme: 'light' | 'dark'): void
  addImage(select?: boolean, spec?: Partial<FrameSpec>): Promise<void>
  addPhotoWithArea(): Promise<void>
  addPhoto(name: string, width: number, height: number, select?: boolean): Promise<void>
  scene(): SceneSnapshot
  select(ids: string[]): void
  remove(ids: string[]): void
  undo(): void
  close(): void
  reopen(command?: string): void
  addPage(name: string): void
  showPage(index: number): void
  setExportDelay(ms: number, nodeId?: string | null): void
  imageSize(hash: string): Promise<{ width: number; height: number } | null>
  notices(): { message: string; error: boolean; button: string | null }[]
}

export const plugin = (page: Page) => page.frameLocator('#plugin')

/** The plugin window's own frame, to run code in it. */
export const pluginFrame = (page: Page): Frame =>
  page.frames().find((frame) => frame.parentFrame() === page.mainFrame())!

export const harness = <T>(page: Page, run: (harness: HarnessApi) => T | Promise<T>) =>
  page.evaluate(
    (source) =>
      new Function('harness', `return (${source})(harness)`)(
        (window as unknown as { harness: HarnessApi }).harness,
      ),
    run.toString(),
  ) as Promise<T>

export const scene = (page: Page) => harness(page, (h) => h.scene())

export const imageSize = (page: Page, hash: string) =>
  page.evaluate((h) => (window as unknown as { harness: HarnessApi }).harness.imageSize(h), hash)

export const idsByName = async (page: Page, names: string[]) =>
  (await scene(page)).nodes.filter((node) => names.includes(node.name)).map((node) => node.id)

export async function selectByName(page: Page, names: string[]) {
  const ids = await idsByName(page, names)
  await page.evaluate(
    (wanted) => (window as unknown as { harness: HarnessApi }).harness.select(wanted),
    ids,
  )
}

export async function waitForScene(
  page: Page,
  predicate: (snapshot: SceneSnapshot) => boolean,
  timeout = 30_000,
) {
  await page.waitForFunction(
    (source) => {
      const check = new Function('snapshot', `return (${source})(snapshot)`) as (
        snapshot: SceneSnapshot,
      ) => boolean
      return check((window as unknown as { harness: HarnessApi }).harness.scene())
    },
    predicate.toString(),
    { timeout },
  )
}

export async function typePrompt(page: Page, text: string) {
  await plugin(page).locator('textarea').first().fill(text)
}

export const screenshot = (page: Page, name: string) =>
  page.screenshot({ path: join(ARTIFACTS, `${name}.png`) })
