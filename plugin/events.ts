import type { EventHandler } from '@create-figma-plugin/utilities'
import type {
  FinishedImage,
  HistoryEntry,
  LayerPixels,
  PlacementPlan,
  Provenance,
  ReferenceImageBytes,
  SelectionItem,
  Settings,
  StartupData,
  UnfinishedRun,
} from './types'
import type { Preferences } from './utilities/remembered-form'

/*
 * Requests that expect an answer carry a request id as their first argument, and the answer carries
 * the same id (see ui/call-main.ts).
 */

// UI → main thread

/** The UI has registered its handlers: the main thread answers with STARTUP. */
export interface UiReadyHandler extends EventHandler {
  name: 'UI_READY'
  handler: () => void
}

export interface SaveSettingsHandler extends EventHandler {
  name: 'SAVE_SETTINGS'
  handler: (settings: Settings) => void
}

export interface ExportReferencesHandler extends EventHandler {
  name: 'EXPORT_REFERENCES'
  handler: (exportId: string, nodeIds: string[]) => void
}

/** The form's choices changed: kept for the next time the plugin opens. */
export interface SavePreferencesHandler extends EventHandler {
  name: 'SAVE_PREFERENCES'
  handler: (preferences: Preferences) => void
}

/** The prompt changed: kept with this file. */
export interface SaveDraftHandler extends EventHandler {
  name: 'SAVE_DRAFT'
  handler: (prompt: string) => void
}

/** The plugin window wants to fit its content. */
export interface ResizeWindowHandler extends EventHandler {
  name: 'RESIZE_WINDOW'
  handler: (width: number, height: number) => void
}

export interface ResolveSourcesHandler extends EventHandler {
  name: 'RESOLVE_SOURCES'
  /** nodeIds null: the canvas selection as it is now. */
  handler: (requestId: string, nodeIds: string[] | null, excluded: string[]) => void
}

/** A layer's own pixels, and with shapes given, the mask of the area under them. */
export interface ExportPixelsHandler extends EventHandler {
  name: 'EXPORT_PIXELS'
  handler: (requestId: string, nodeId: string, shapeIds: string[]) => void
}

export interface StartPlacementHandler extends EventHandler {
  name: 'START_PLACEMENT'
  handler: (requestId: string, plan: PlacementPlan) => void
}

export interface ShowPartialHandler extends EventHandler {
  name: 'SHOW_PARTIAL'
  handler: (jobId: string, slot: number, bytes: Uint8Array) => void
}

export interface PlaceImageHandler extends EventHandler {
  name: 'PLACE_IMAGE'
  handler: (jobId: string, slot: number, bytes: Uint8Array, provenance: Provenance) => void
}

export interface FinishPlacementHandler extends EventHandler {
  name: 'FINISH_PLACEMENT'
  handler: (requestId: string, jobId: string) => void
}

export interface CancelPlacementHandler extends EventHandler {
  name: 'CANCEL_PLACEMENT'
  handler: (jobId: string) => void
}

export interface PlaceFromHistoryHandler extends EventHandler {
  name: 'PLACE_FROM_HISTORY'
  handler: (requestId: string, entryId: string) => void
}

/**
 * Images that finished after a cancel or a close: into the file's images and History, not onto
 * the canvas; `doneRequestIds` are then no longer unfinished.
 */
export interface AddToHistoryHandler extends EventHandler {
  name: 'ADD_TO_HISTORY'
  handler: (images: FinishedImage[], doneRequestIds: string[]) => void
}

/** The service has taken a request on: remembered until its images are all accounted for. */
export interface RememberRunHandler extends EventHandler {
  name: 'REMEMBER_RUN'
  handler: (run: UnfinishedRun) => void
}

/** An image of a remembered request reached the canvas. */
export interface RunReceivedHandler extends EventHandler {
  name: 'RUN_RECEIVED'
  handler: (requestId: string, index: number) => void
}

/** Requests whose images are all where they belong, or that ended without any. */
export interface ForgetRunsHandler extends EventHandler {
  name: 'FORGET_RUNS'
  handler: (requestIds: string[]) => void
}

export interface NotifyHandler extends EventHandler {
  name: 'NOTIFY'
  handler: (message: string, isError: boolean) => void
}

// main thread → UI

/** Answers PLACE_FROM_HISTORY: null once placed, or why it could not be. */
export interface HistoryPlacedHandler extends EventHandler {
  name: 'HISTORY_PLACED'
  handler: (requestId: string, problem: string | null) => void
}

export interface StartupHandler extends EventHandler {
  name: 'STARTUP'
  handler: (startup: StartupData) => void
}

export interface SourcesResolvedHandler extends EventHandler {
  name: 'SOURCES_RESOLVED'
  /** null when one of the layers asked for is gone. */
  handler: (requestId: string, sources: SelectionItem[] | null) => void
}

export interface SelectionChangedHandler extends EventHandler {
  name: 'SELECTION_CHANGED'
  handler: (selection: SelectionItem[]) => void
}

export interface ReferencesExportedHandler extends EventHandler {
  name: 'REFERENCES_EXPORTED'
  handler: (exportId: string, references: ReferenceImageBytes[], problem: string | null) => void
}

export interface PixelsExportedHandler extends EventHandler {
  name: 'PIXELS_EXPORTED'
  handler: (
    requestId: string,
    pixels: { original: LayerPixels; mask: Uint8Array | null } | null,
    problem: string | null,
  ) => void
}

export interface PlacementFinishedHandler extends EventHandler {
  name: 'PLACEMENT_FINISHED'
  /**
   * `selected`: the results were selected, as the designer had not moved on meanwhile;
   * `unreadable`: images that arrived but that Figma could not read.
   */
  handler: (requestId: string, placedIds: string[], selected: boolean, unreadable: number) => void
}

export interface PlacementStartedHandler extends EventHandler {
  name: 'PLACEMENT_STARTED'
  handler: (requestId: string, problem: string | null) => void
}

export interface HistoryChangedHandler extends EventHandler {
  name: 'HISTORY_CHANGED'
  handler: (history: HistoryEntry[]) => void
}
