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
  ResolveSourcesHandler,
  SaveSettingsHandler,
  ShowPartialHandler,
  SourcesResolvedHandler,
  StartPlacementHandler,
  StartupHandler,
  UiReadyHandler,
} from '../events'
import { exportReference } from './export-reference'
import { loadHistory } from './history-store'
import { isAlive } from './is-alive'
import { placeFromHistory } from './place-from-history'
import {
  cancelAllPlacements,
  cancelPlacement,
  finishPlacement,
  placeImage,
  showPartial,
  startPlacement,
} from './placement-jobs'
import { resolveSources } from './resolve-sources'
import { sendSelection } from './selection-feed'
import { loadSettings, saveSettings } from './settings-store'
import { loadStartupData } from './startup'

async function exportReferences(exportId: string, nodeIds: string[]) {
  const answer = (
    references: Awaited<ReturnType<typeof exportReference>>[],
    problem: string | null,
  ) => emit<ReferencesExportedHandler>('REFERENCES_EXPORTED', exportId, references, problem)
  try {
    const nodes = await Promise.all(nodeIds.map((id) => figma.getNodeByIdAsync(id)))
    const scene = nodes.filter(
      (node): node is SceneNode =>
        isAlive(node) && node.type !== 'PAGE' && node.type !== 'DOCUMENT',
    )
    if (scene.length < nodeIds.length)
      return answer([], 'A selected layer was deleted. Select the layers again.')
    answer(await Promise.all(scene.map(exportReference)), null)
  } catch {
    answer([], 'The selected layers could not be exported. Try selecting fewer or smaller layers.')
  }
}

export function registerHandlers() {
  let uiReady = false
  on<UiReadyHandler>('UI_READY', async () => {
    emit<StartupHandler>('STARTUP', await loadStartupData())
    uiReady = true
    sendSelection()
  })
  on<SaveSettingsHandler>('SAVE_SETTINGS', saveSettings)
  on<ResolveSourcesHandler>('RESOLVE_SOURCES', async (requestId, nodeIds, excluded) => {
    emit<SourcesResolvedHandler>(
      'SOURCES_RESOLVED',
      requestId,
      await resolveSources(nodeIds, excluded),
    )
  })
  on<ExportReferencesHandler>('EXPORT_REFERENCES', exportReferences)
  on<StartPlacementHandler>('START_PLACEMENT', async (requestId, plan) => {
    try {
      await startPlacement(plan)
      emit<PlacementStartedHandler>('PLACEMENT_STARTED', requestId, null)
    } catch (error) {
      emit<PlacementStartedHandler>('PLACEMENT_STARTED', requestId, (error as Error).message)
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
  figma.on('selectionchange', () => {
    if (uiReady) sendSelection()
  })
  figma.on('close', cancelAllPlacements)
}
