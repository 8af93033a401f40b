import { emit, on } from '@create-figma-plugin/utilities'
import type {
  CancelPlacementHandler,
  ExportReferencesHandler,
  FinishPlacementHandler,
  HistoryChangedHandler,
  NotifyHandler,
  PlaceFromHistoryHandler,
  PlaceImageHandler,
  PlacementStartedHandler,
  ReferencesExportedHandler,
  SaveSettingsHandler,
  SelectionChangedHandler,
  ShowPartialHandler,
  StartPlacementHandler,
} from '../events'
import { exportReference } from './export-reference'
import { loadHistory } from './history-store'
import { placeFromHistory } from './place-from-history'
import {
  cancelPlacement,
  finishPlacement,
  placeImage,
  showPartial,
  startPlacement,
} from './placement-jobs'
import { readSelection } from './read-selection'
import { loadSettings, saveSettings } from './settings-store'

async function exportReferences(exportId: string, nodeIds: string[]) {
  try {
    const nodes = await Promise.all(nodeIds.map((id) => figma.getNodeByIdAsync(id)))
    const scene = nodes.filter(
      (node): node is SceneNode =>
        node !== null && node.type !== 'PAGE' && node.type !== 'DOCUMENT',
    )
    if (scene.length < nodeIds.length) {
      emit<ReferencesExportedHandler>(
        'REFERENCES_EXPORTED',
        exportId,
        [],
        'A selected layer was deleted. Select the layers again.',
      )
      return
    }
    emit<ReferencesExportedHandler>(
      'REFERENCES_EXPORTED',
      exportId,
      await Promise.all(scene.map(exportReference)),
      null,
    )
  } catch {
    emit<ReferencesExportedHandler>(
      'REFERENCES_EXPORTED',
      exportId,
      [],
      'The selected layers could not be exported. Try selecting fewer or smaller layers.',
    )
  }
}

export function registerHandlers() {
  on<SaveSettingsHandler>('SAVE_SETTINGS', saveSettings)
  on<ExportReferencesHandler>('EXPORT_REFERENCES', exportReferences)
  on<StartPlacementHandler>('START_PLACEMENT', async (plan) => {
    try {
      await startPlacement(plan)
      emit<PlacementStartedHandler>('PLACEMENT_STARTED', plan.jobId, null)
    } catch (error) {
      emit<PlacementStartedHandler>('PLACEMENT_STARTED', plan.jobId, (error as Error).message)
    }
  })
  on<ShowPartialHandler>('SHOW_PARTIAL', showPartial)
  on<PlaceImageHandler>('PLACE_IMAGE', placeImage)
  on<FinishPlacementHandler>('FINISH_PLACEMENT', async (jobId) => {
    const { history } = await finishPlacement(jobId)
    if (history) emit<HistoryChangedHandler>('HISTORY_CHANGED', history)
  })
  on<CancelPlacementHandler>('CANCEL_PLACEMENT', cancelPlacement)
  on<PlaceFromHistoryHandler>('PLACE_FROM_HISTORY', async (entryId) => {
    const entry = (await loadHistory()).find((candidate) => candidate.id === entryId)
    const problem = entry
      ? placeFromHistory(entry, (await loadSettings()).markAiGenerated)
      : 'This history entry is gone.'
    if (problem) figma.notify(problem, { error: true })
  })
  on<NotifyHandler>('NOTIFY', (message, isError) => figma.notify(message, { error: isError }))
  figma.on('selectionchange', async () => {
    emit<SelectionChangedHandler>(
      'SELECTION_CHANGED',
      await readSelection(figma.currentPage.selection),
    )
  })
}
