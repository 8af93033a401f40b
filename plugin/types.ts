import type { ModelId, Provider, Quality } from '../shared'
import { PLUGIN_NETWORK } from './network'

export interface Settings {
  workerUrl: string
  token: string
  markAiGenerated: boolean
}

export const DEFAULT_SETTINGS: Settings = {
  workerUrl: PLUGIN_NETWORK.defaultWorkerUrl,
  token: '',
  markAiGenerated: false,
}

/**
 * What a selected layer is to the actions: an image, a shape drawn over something (an area to
 * edit), a frame-like container, or something else (text).
 */
export type LayerRole = 'image' | 'shape' | 'frame' | 'other'

/** A selected layer as the UI shows it. */
export interface SelectionItem {
  id: string
  name: string
  type: string
  role: LayerRole
  /** Where it is on the page. */
  x: number
  y: number
  width: number
  height: number
  /** Whether results can go into its fills ("Fill selection"). */
  fillable: boolean
  /** How it was generated, when Promptframe made it. */
  provenance: Provenance | null
  thumbnail: Uint8Array | null
}

export interface ReferenceImageBytes {
  nodeId: string
  name: string
  bytes: Uint8Array
  mimeType: 'image/png' | 'image/jpeg' | 'image/webp'
  width: number
  height: number
}

/** Everything Promptframe can do; one of them is chosen in the form. */
export type ActionId = 'create' | 'restyle' | 'edit-area' | 'expand' | 'remove-background' | 'vary'

/** A layer's own pixels, encoded as PNG or JPEG, with their size. */
export interface LayerPixels {
  bytes: Uint8Array
  width: number
  height: number
}

/** What a generated layer remembers about how it was made. */
export interface Provenance {
  /** The action that made it; layers from before actions existed have none. */
  action?: ActionId
  /** The layers it was made from. */
  sources?: string[]
  prompt: string
  model: ModelId
  size: string
  quality: Quality
  requestId: string
  provider: Provider
  preview: boolean
}

export type PlacementMode = 'frames' | 'fill'

/**
 * Where one result goes: a new frame in a block beside the selection, a selected layer's fill, a
 * new frame beside its own source, or a new layer exactly over its source.
 */
export type PlacementSlot =
  | { kind: 'block'; width: number; height: number; name: string }
  | { kind: 'fill'; width: number; height: number; name: string; targetNodeId: string }
  | { kind: 'beside'; width: number; height: number; name: string; sourceNodeId: string }
  | {
      kind: 'over'
      name: string
      sourceNodeId: string
      /** Layers hidden once the result is in place: the shapes of an edit, a cut-out's original. */
      hideNodeIds: string[]
    }

export interface PlacementPlan {
  jobId: string
  slots: PlacementSlot[]
}

export interface HistoryEntry {
  id: string
  createdAt: string
  provenance: Provenance
  imageHash: string
  width: number
  height: number
  thumbnail: Uint8Array | null
  /** Why it is here without having been placed, e.g. it finished after a cancel. */
  note?: string
}

/** An image that finished after its generation was cancelled: kept in History, not placed. */
export interface FinishedImage {
  id: string
  /** Its index in its request, whose id is in its provenance. */
  index: number
  bytes: Uint8Array
  width: number
  height: number
  thumbnail: Uint8Array | null
  provenance: Provenance
  note: string
}

/**
 * A request the service had taken on when the plugin last stopped following it (closed mid
 * generation): its images are charged, so the next open brings them into History.
 */
export interface UnfinishedRun {
  requestId: string
  /** What its images were made from; the service adds the provider and the preview flag. */
  provenance: Omit<Provenance, 'requestId' | 'provider' | 'preview'>
  /** An area edit or an expansion, combined with its layer when placed; on its own it is not. */
  combined: boolean
  /** Indexes of the images that reached the canvas or History already. */
  received: number[]
  startedAt: string
}

export type RelaunchCommand = 'vary' | 'restyle'

/** What the UI gets once it is ready: sent by postMessage, so thumbnails stay bytes. */
export interface StartupData {
  settings: Settings
  history: HistoryEntry[]
  /** The last choices saved on this computer, as stored: checked field by field on restore. */
  preferences: unknown
  /** The prompt being written in this file when the plugin last closed. */
  draft: string
  relaunch: { command: RelaunchCommand; provenance: Provenance } | null
  /** Generations that were still running when the plugin last closed. */
  unfinished: UnfinishedRun[]
}
