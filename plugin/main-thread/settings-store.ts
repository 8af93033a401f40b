import { DEFAULT_SETTINGS, type Settings } from '../types'

const SETTINGS_KEY = 'promptframe.settings'

export async function loadSettings(): Promise<Settings> {
  const stored = (await figma.clientStorage.getAsync(SETTINGS_KEY)) as Partial<Settings> | undefined
  return { ...DEFAULT_SETTINGS, ...stored }
}

export async function saveSettings(settings: Settings): Promise<void> {
  await figma.clientStorage.setAsync(SETTINGS_KEY, settings)
}
