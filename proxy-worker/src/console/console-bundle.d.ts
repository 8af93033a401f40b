// The team admin console, built by scripts/build-console.mjs into console-bundle.js (not in git).
export const CONSOLE_HTML: string
export const CONSOLE_SCRIPT: string
export const CONSOLE_STYLE: string
