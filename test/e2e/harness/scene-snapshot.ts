export interface SnapshotNode {
  id: string
  type: string
  name: string
  x: number
  y: number
  width: number
  height: number
  parentId: string | null
  fill: { type: 'SOLID'; css: string } | { type: 'IMAGE'; hash: string } | null
  provenance: string
}

export interface SceneSnapshot {
  nodes: SnapshotNode[]
  selection: string[]
}

/** Messages from the main-thread host (a Web Worker) to the harness page. */
export type HostMessage =
  | { kind: 'show-ui'; html: string; width: number; height: number }
  | { kind: 'to-ui'; message: unknown }
  | { kind: 'scene'; snapshot: SceneSnapshot }
  | { kind: 'image'; hash: string; bytes: Uint8Array }
  | { kind: 'notify'; message: string; error: boolean }
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
  children?: FrameSpec[]
  imageBytes?: Uint8Array
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
  | { kind: 'reset' }
  | { kind: 'measure-reference'; nodeId: string }
