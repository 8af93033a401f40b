import type { Provenance } from '../types'

const PROVENANCE_KEY = 'provenance'

export const RELAUNCH_BUTTONS = {
  vary: 'Make more variations of this image',
  restyle: 'Restyle this image with a new prompt',
}

/** Records how a layer was generated and gives it the Vary and Restyle relaunch buttons. */
export function markGenerated(node: SceneNode, provenance: Provenance) {
  node.setPluginData(PROVENANCE_KEY, JSON.stringify(provenance))
  node.setRelaunchData(RELAUNCH_BUTTONS)
}

export function readProvenance(node: SceneNode | undefined): Provenance | null {
  const raw = node?.getPluginData(PROVENANCE_KEY)
  if (!raw) return null
  try {
    return JSON.parse(raw) as Provenance
  } catch {
    return null
  }
}
