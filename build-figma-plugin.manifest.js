// create-figma-plugin calls this with the manifest built from package.json's "figma-plugin" key.
import { pluginId, pluginNetwork } from './scripts/plugin-network.mjs'

export default function manifest(built) {
  const { allowedDomains, devAllowedDomains } = pluginNetwork()
  return {
    ...built,
    id: pluginId() ?? built.id,
    networkAccess: { ...built.networkAccess, allowedDomains, devAllowedDomains },
  }
}
