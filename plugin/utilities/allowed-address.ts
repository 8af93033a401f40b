/**
 * Figma's networkAccess entries, read as content-security-policy sources: "https://api.example.com",
 * "*.example.com", "example.com/api/", "http://localhost:*", "none" or "*".
 */
interface DomainPattern {
  scheme: string | null
  host: string
  port: string | null
  path: string
}

function parsePattern(entry: string): DomainPattern | null {
  const match = entry.trim().match(/^(?:([a-z][a-z0-9+.-]*):\/\/)?([^/:]+)(?::(\d+|\*))?(\/.*)?$/i)
  if (!match) return null
  return {
    scheme: match[1]?.toLowerCase() ?? null,
    host: match[2].toLowerCase(),
    port: match[3] ?? null,
    path: match[4] ?? '',
  }
}

const DEFAULT_PORTS: Record<string, string> = {
  'http:': '80',
  'https:': '443',
  'ws:': '80',
  'wss:': '443',
}

function matches(url: URL, pattern: DomainPattern): boolean {
  const scheme = url.protocol.slice(0, -1)
  // A source without a scheme matches secure schemes only, as the plugin window is served over https.
  if (pattern.scheme ? pattern.scheme !== scheme : scheme !== 'https' && scheme !== 'wss')
    return false
  const host = url.hostname.toLowerCase()
  if (pattern.host.startsWith('*.')) {
    if (!host.endsWith(pattern.host.slice(1))) return false
  } else if (pattern.host !== host) return false
  const port = url.port || DEFAULT_PORTS[url.protocol]
  const wanted = pattern.port ?? DEFAULT_PORTS[`${pattern.scheme ?? scheme}:`]
  if (wanted !== '*' && wanted !== port) return false
  if (!pattern.path) return true
  return pattern.path.endsWith('/')
    ? url.pathname.startsWith(pattern.path)
    : url.pathname === pattern.path
}

/** Whether a request to this address would pass the allow-list; "none" allows nothing, "*" all. */
export function isAllowedAddress(address: string, entries: readonly string[]): boolean {
  let url: URL
  try {
    url = new URL(address)
  } catch {
    return false
  }
  return entries.some((entry) => {
    if (entry.trim() === '*') return true
    const pattern = parsePattern(entry)
    return pattern !== null && entry.trim() !== 'none' && matches(url, pattern)
  })
}

/** The allow-list in words for a designer: "https://promptframe.team.workers.dev or http://localhost". */
export function describeAllowedAddresses(entries: readonly string[]): string {
  const readable = entries
    .filter((entry) => entry !== 'none')
    .map((entry) => entry.replace(/:\*$/, ''))
  return readable.length > 0 ? readable.join(' or ') : 'no address'
}
