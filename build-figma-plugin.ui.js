// create-figma-plugin calls this with its esbuild options for this bundle.
import { networkDefine } from './scripts/plugin-network.mjs'

export default function esbuildOptions(options) {
  return { ...options, define: { ...options.define, ...networkDefine() } }
}
