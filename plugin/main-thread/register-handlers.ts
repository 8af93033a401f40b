import { emit, on } from '@create-figma-plugin/utilities'
import type {
  AddToHistoryHandler,
  CancelPlacementHandler,
  ExportPixelsHandler,
  ExportReferencesHandler,
  FinishPlacementHandler,
  ForgetRunsHandler,
  HistoryChangedHandler,
  HistoryPlacedHandler,
  NotifyHandler,
  PixelsExportedHandler,
  PlaceFromHistoryHandler,
  PlaceImageHandler,
  PlacementFinishedHandler,
  PlacementStartedHandler,
  ReferencesExportedHandler,
  RememberRunHandler,
  ResizeWindowHandler,
  ResolveSourcesHandler,
  RunReceivedHandler,
  SaveDraftHandler,
  SavePreferencesHandler,
  SaveSettingsHandler,
  ShowPartialHandler,
  SourcesResolvedHandler,
  StartPlacementHandler,
  StartupHandler,
  UiReadyHandler,
} from '../events'
import { exportEditArea, exportPixels } from './export-pixels'
import { exportReference } from './export-reference'
import { addFinishedImages, loadHistory } from './history-store'
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
import { saveDraft, savePreferences } from './preferences-store'
import { resolveSources } from './resolve-sources'
import { sendSelection } from './selection-feed'
import { loadSettings, saveSettings } from './settings-store'
import { loadStartupData } from './startup'
import { finishRuns, forgetRuns, markRunReceived, rememberRun } from './unfinished-runs'

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

async function sendPixels(requestId: string, nodeId: string, shapeIds: string[]) {
  const answer = (
    pixels: Parameters<PixelsExportedHandler['handler']>[1],
    problem: string | null,
  ) => emit<PixelsExportedHandler>('PIXELS_EXPORTED', requestId, pixels, problem)
  try {
    const nodes = await Promise.all([nodeId, ...shapeIds].map((id) => figma.getNodeByIdAsync(id)))
    if (!nodes.every(isAlive))
      return answer(null, 'A selected layer was deleted. Select the layers again.')
    const [target, ...shapes] = nodes as SceneNode[]
    if (shapes.length === 0)
      return answer({ original: await exportPixels(target), mask: null }, null)
    answer(await exportEditArea(target, shapes), null)
  } catch {
    answer(
      null,
      'The image could not be read from the canvas. Try a smaller image, or select it again.',
    )
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
  on<SavePreferencesHandler>('SAVE_PREFERENCES', savePreferences)
  on<SaveDraftHandler>('SAVE_DRAFT', saveDraft)
  on<ResizeWindowHandler>('RESIZE_WINDOW', (width, height) => figma.ui.resize(width, height))
  on<ResolveSourcesHandler>('RESOLVE_SOURCES', async (requestId, nodeIds, excluded) => {
    emit<SourcesResolvedHandler>(
      'SOURCES_RESOLVED',
      requestId,
      await resolveSources(nodeIds, excluded),
    )
  })
  on<ExportReferencesHandler>('EXPORT_REFERENCES', exportReferences)
  on<ExportPixelsHandler>('EXPORT_PIXELS', sendPixels)
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
  on<FinishPlacementHandler>('FINISH_PLACEMENT', async (requestId, jobId) => {
    const { placedIds, selected, unreadable, history } = await finishPlacement(jobId)
    emit<PlacementFinishedHandler>('PLACEMENT_FINISHED', requestId, placedIds, selected, unreadable)
    if (history) emit<HistoryChangedHandler>('HISTORY_CHANGED', history)
  })
  on<CancelPlacementHandler>('CANCEL_PLACEMENT', async (jobId) => {
    const history = await cancelPlacement(jobId)
    if (history) emit<HistoryChangedHandler>('HISTORY_CHANGED', history)
  })
  on<PlaceFromHistoryHandler>('PLACE_FROM_HISTORY', async (requestId, entryId) => {
    const entry = (await loadHistory()).find((candidate) => candidate.id === entryId)
    const problem = entry
      ? placeFromHistory(entry, (await loadSettings()).markAiGenerated)
      : 'This image is no longer in History.'
    emit<HistoryPlacedHandler>('HISTORY_PLACED', requestId, problem)
  })
  on<AddToHistoryHandler>('ADD_TO_HISTORY', (images, doneRequestIds) =>
    finishRuns(doneRequestIds, images, async (kept) => {
      if (kept.length > 0)
        emit<HistoryChangedHandler>('HISTORY_CHANGED', await addFinishedImages(kept))
    }),
  )
  on<RememberRunHandler>('REMEMBER_RUN', rememberRun)
  on<RunReceivedHandler>('RUN_RECEIVED', markRunReceived)
  on<ForgetRunsHandler>('FORGET_RUNS', forgetRuns)
  on<NotifyHandler>('NOTIFY', (message, isError) => figma.notify(message, { error: isError }))
  figma.on('selectionchange', () => {
    if (uiReady) sendSelection()
  })
  figma.on('close', cancelAllPlacements)
}
