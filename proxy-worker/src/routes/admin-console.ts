import { Hono } from 'hono'
import { CONSOLE_HTML, CONSOLE_SCRIPT, CONSOLE_STYLE } from '../console/console-bundle.js'
import type { AppEnv } from '../env'

/**
 * The page may load only its own script and style and talk only to this service: no inline code,
 * no other origin, no framing, no forms posting elsewhere.
 */
export const CONSOLE_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  "img-src 'self' data:",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ')

const HEADERS = {
  'Content-Security-Policy': CONSOLE_POLICY,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-cache',
}

/**
 * The team admin console: one page and its two files, served to anyone, holding no data. Everything
 * it shows comes from the admin API, with the admin token the person signing in types.
 */
export const adminConsole = new Hono<AppEnv>()

adminConsole.get('/', (c) =>
  c.body(CONSOLE_HTML, 200, { ...HEADERS, 'Content-Type': 'text/html; charset=utf-8' }),
)
adminConsole.get('/console.js', (c) =>
  c.body(CONSOLE_SCRIPT, 200, { ...HEADERS, 'Content-Type': 'text/javascript; charset=utf-8' }),
)
adminConsole.get('/console.css', (c) =>
  c.body(CONSOLE_STYLE, 200, { ...HEADERS, 'Content-Type': 'text/css; charset=utf-8' }),
)
