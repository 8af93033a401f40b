import type { RelaunchCommand, StartupData } from '../types'
import { loadHistory } from './history-store'
import { loadDraft, loadPreferences } from './preferences-store'
import { readProvenance } from './provenance'
import { loadSettings } from './settings-store'
import { loadUnfinishedRuns } from './unfinished-runs'

function relaunchCommand(command: string): RelaunchCommand | null {
  return command === 'vary' || command === 'restyle' ? command : null
}

/**
 * Everything the UI needs on open, including the prompt to prefill when reopened from a relaunch
 * button. It goes by postMessage, never through showUI's data: that is inlined into the UI's HTML
 * as JSON, which turns bytes into objects and lets a layer name that holds "</script>" run as code.
 */
export async function loadStartupData(): Promise<StartupData> {
  const command = relaunchCommand(figma.command)
  const provenance = command ? readProvenance(figma.currentPage.selection[0]) : null
  return {
    settings: await loadSettings(),
    history: await loadHistory(),
    preferences: await loadPreferences(),
    draft: loadDraft(),
    relaunch: command && provenance ? { command, provenance } : null,
    unfinished: await loadUnfinishedRuns(),
  }
}
