import type { FakeNodeType } from '../../plugin/fake-figma/fake-nodes'

export interface SnapshotNode {
  id: string
  type: string
  name: string
  x: number
  y: number
  width: number
  height: number
  rotation: number
  opacity: number
  visible: boolean
  /** A vector's SVG path data, in its own coordinates. */
  path: string | null
  stroke: { css: string; weight: number } | null
  parentId: string | null
  fill: { type: 'SOLID'; css: string } | { type: 'IMAGE'; hash: string } | null
  provenance: string
}

export interface SceneSnapshot {
  /** The layers of the page the designer is on. */
  nodes: SnapshotNode[]
  selection: string[]
  page: { id: string; name: string }
  pages: { id: string; name: string }[]
  /** Whether the plugin is running (false after it closed). */
  running: boolean
}

/** Messages from the main-thread host (a Web Worker) to the harness page. */
export type HostMessage =
  | { kind: 'show-ui'; html: string; width: number; height: number }
  | { kind: 'resize-ui'; width: number; height: number }
  | { kind: 'to-ui'; message: unknown }
  | { kind: 'scene'; snapshot: SceneSnapshot }
  | { kind: 'image'; hash: string; bytes: Uint8Array }
  | { kind: 'notify'; index: number; message: string; error: boolean; button: string | null }
  /** The plugin closed: its window goes, which ends its requests. */
  | { kind: 'closed' }
  | {
      kind: 'reference-measured'
      nodeId: string
      bytes: number
      width: number
      height: number
      mimeType: string
    }

export interface FrameSpec {
  name: string
  x: number
  y: number
  width: number
  height: number
  colour: [number, number, number]
  /** FRAME by default, RECTANGLE for an image. */
  type?: FakeNodeType
  rotation?: number
  opacity?: number
  /** A vector's SVG path data (type VECTOR), in its own coordinates: a pencil stroke, say. */
  path?: string
  stroke?: { colour: [number, number, number]; weight: number }
  /** No fill at all (a pencil stroke has only its stroke). */
  noFill?: boolean
  children?: FrameSpec[]
  imageBytes?: Uint8Array
  /** How an image fills its layer; FILL by default. */
  scaleMode?: ImagePaint['scaleMode']
}

/** Messages from the harness page to the host. */
export type PageMessage =
  | {
      kind: 'boot'
      mainUrl: string
      uiHtml: string
      command: string
      settings: unknown
      /** A generated layer to select before the plugin starts, as when it is reopened from a relaunch button. */
      generated: { name: string; provenance: unknown } | null
    }
  | { kind: 'from-ui'; message: unknown }
  | { kind: 'select'; ids: string[] }
  | { kind: 'add'; spec: FrameSpec; select: boolean }
  | { kind: 'remove'; ids: string[] }
  | { kind: 'undo' }
  | { kind: 'reset' }
  | { kind: 'measure-reference'; nodeId: string }
  | { kind: 'close' }
  /** Runs the plugin again over the same document, selection and clientStorage. */
  | { kind: 'reopen'; command: string }
  | { kind: 'export-delay'; ms: number; nodeId: string | null }
  | { kind: 'add-page'; name: string }
  | { kind: 'show-page'; index: number }
  | { kind: 'notify-action'; index: number }
