// The worker's settings that `npm start` takes from the environment it runs in, so
// `PREVIEW_DELAY_MS=6000 npm start` or `OPENAI_API_KEY=sk-… npm start` work as written.

/** Every setting the worker reads (proxy-worker/src/env.ts), except the admin token, kept in .dev.vars. */
export const WORKER_VARIABLES = [
  'IMAGE_PROVIDER',
  'OPENAI_API_KEY',
  'OPENAI_BASE_URL',
  'KIE_API_KEY',
  'KIE_BASE_URL',
  'KIE_RESULT_HOSTS',
  'ENHANCE_PER_MINUTE',
  'ENHANCE_MODEL',
  'UPSTREAM_TIMEOUT_MS',
  'MAX_CONCURRENT_PER_USER',
  'KIE_POLL_INTERVAL_MS',
  'IMAGE_TTL_SECONDS',
  'REFERENCE_TTL_SECONDS',
  'PREVIEW_DELAY_MS',
  'PUBLIC_BASE_URL',
]

const SECRET = /KEY|TOKEN/

/** The worker settings present (and not empty) in an environment. */
export function workerVarsFrom(environment) {
  return Object.fromEntries(
    WORKER_VARIABLES.filter((name) => environment[name]).map((name) => [name, environment[name]]),
  )
}

/** As a .env file for `wrangler dev --env-file`: single quotes keep a value literal. */
export function envFileText(vars) {
  return Object.entries(vars)
    .map(([name, value]) => {
      if (/[\r\n]/.test(value))
        throw new Error(`${name} holds a line break, which a .env file cannot`)
      return value.includes("'") ? `${name}="${value}"` : `${name}='${value}'`
    })
    .join('\n')
}

/** For the start banner: names and values, with API keys hidden. */
export function describeVars(vars) {
  return Object.entries(vars)
    .map(([name, value]) => (SECRET.test(name) ? `${name} (set)` : `${name}=${value}`))
    .join(', ')
}
