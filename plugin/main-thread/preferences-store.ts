import type { Preferences } from '../utilities/remembered-form'

const PREFERENCES_KEY = 'promptframe.preferences'
const DRAFT_KEY = 'promptframe.draft'

/** The designer's last choices (action, model, ratio, quality, …), on this computer. */
export async function loadPreferences(): Promise<unknown> {
  return (await figma.clientStorage.getAsync(PREFERENCES_KEY)) ?? null
}

export async function savePreferences(preferences: Preferences): Promise<void> {
  await figma.clientStorage.setAsync(PREFERENCES_KEY, preferences)
}

/** The prompt being written in this file, kept with the file so it is there when the plugin opens again. */
export function loadDraft(): string {
  return figma.root.getPluginData(DRAFT_KEY)
}

export function saveDraft(prompt: string): void {
  figma.root.setPluginData(DRAFT_KEY, prompt)
}
