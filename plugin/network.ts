/** The worker address and Figma's allow-list this build was made with (scripts/plugin-network.mjs). */
export interface PluginNetwork {
  defaultWorkerUrl: string
  allowedDomains: string[]
  devAllowedDomains: string[]
}

declare const __PROMPTFRAME_NETWORK__: PluginNetwork

export const PLUGIN_NETWORK: PluginNetwork = __PROMPTFRAME_NETWORK__
