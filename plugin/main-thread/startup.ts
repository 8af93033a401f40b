import type { RelaunchCommand, StartupData } from '../types'
import { loadHistory } from './history-store'
import { readProvenance } from './provenance'
import { readSelection } from './read-selection'
import { loadSettings } from './settings-store'

function relaunchCommand(command: string): RelaunchCommand | null {
  return command === 'vary' || command === 'restyle' ? command : null
}

/** Everything the UI needs on open, including the prompt to prefill when reopened from a relaunch button. */
export async function loadStartupData(): Promise<StartupData> {
  const selection = figma.currentPage.selection
  const command = relaunchCommand(figma.command)
  const provenance = command ? readProvenance(selection[0]) : null
  return {
    settings: await loadSettings(),
    history: await loadHistory(),
    selection: await readSelection(selection),
    relaunch: command && provenance ? { command, provenance } : null,
  }
}
