import type { Provenance } from '../types'

/**
 * Provenance is shared plugin data under our own namespace: it stays readable when the plugin id
 * changes (private plugin data is tied to the id), and other tools may read where a layer came from.
 */
const NAMESPACE = 'promptframe'
const PROVENANCE_KEY = 'provenance'

export const RELAUNCH_BUTTONS = {
  vary: 'Make more variations of this image',
  restyle: 'Restyle this image with a new prompt',
}

/** Records how a layer was generated and gives it the Vary and Restyle relaunch buttons. */
export function markGenerated(node: SceneNode, provenance: Provenance) {
  node.setSharedPluginData(NAMESPACE, PROVENANCE_KEY, JSON.stringify(provenance))
  node.setRelaunchData(RELAUNCH_BUTTONS)
}

export function readProvenance(node: SceneNode | undefined): Provenance | null {
  if (!node) return null
  // Layers made before provenance moved to shared data keep it as private plugin data.
  const raw =
    node.getSharedPluginData(NAMESPACE, PROVENANCE_KEY) || node.getPluginData(PROVENANCE_KEY)
  if (!raw) return null
  try {
    return JSON.parse(raw) as Provenance
  } catch {
    return null
  }
}
