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

/** A selected layer as the UI shows it. */
export interface SelectionItem {
  id: string
  name: string
  type: string
  width: number
  height: number
  /** Whether results can go into its fills ("Fill selection"). */
  fillable: boolean
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

/** What a generated layer remembers about how it was made. */
export interface Provenance {
  prompt: string
  model: ModelId
  size: string
  quality: Quality
  requestId: string
  provider: Provider
  preview: boolean
}

export type PlacementMode = 'frames' | 'fill'

export interface PlacementSlot {
  width: number
  height: number
  name: string
  /** In fill mode: the layer whose fills receive the result. */
  targetNodeId?: string
}

export interface PlacementPlan {
  jobId: string
  mode: PlacementMode
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
}

export type RelaunchCommand = 'vary' | 'restyle'

/** What the UI gets once it is ready: sent by postMessage, so thumbnails stay bytes. */
export interface StartupData {
  settings: Settings
  history: HistoryEntry[]
  relaunch: { command: RelaunchCommand; provenance: Provenance } | null
}
