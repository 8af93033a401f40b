// The plugin's network access, decided when it is built. Figma turns the manifest's networkAccess
// into the plugin window's content-security policy, and only devAllowedDomains reach a plugin in
// development, so a published build must name the deployed worker: PROMPTFRAME_WORKER_URL.

export const LOCAL_WORKER_URL = 'http://localhost:8787'
/** Any port on localhost, so tests and a second local worker work in development too. */
const LOCAL_DOMAINS = ['http://localhost:*']

function workerOrigin(raw) {
  let url
  try {
    url = new URL(raw)
  } catch {
    throw new Error(`PROMPTFRAME_WORKER_URL is not an address: "${raw}"`)
  }
  if (url.protocol !== 'https:')
    throw new Error(
      `PROMPTFRAME_WORKER_URL must start with https:// (Figma blocks plain http in published plugins): "${raw}"`,
    )
  if (url.pathname !== '/' || url.search || url.hash || url.username)
    throw new Error(
      `PROMPTFRAME_WORKER_URL must be the worker's address alone, such as https://promptframe.your-team.workers.dev: "${raw}"`,
    )
  return url.origin
}

/** What the build writes into the manifest and the bundles, from the environment. */
export function pluginNetwork(env = process.env) {
  const raw = env.PROMPTFRAME_WORKER_URL?.trim()
  const origin = raw ? workerOrigin(raw) : null
  return {
    defaultWorkerUrl: origin ?? LOCAL_WORKER_URL,
    allowedDomains: origin ? [origin] : ['none'],
    devAllowedDomains: LOCAL_DOMAINS,
  }
}

/** The id Figma gave the plugin (see docs/publishing.md); development builds keep package.json's. */
export function pluginId(env = process.env) {
  return env.PROMPTFRAME_PLUGIN_ID?.trim() || null
}

/** The esbuild `define` that hands the same network settings to the plugin's code. */
export function networkDefine(env = process.env) {
  return { __PROMPTFRAME_NETWORK__: JSON.stringify(pluginNetwork(env)) }
}
