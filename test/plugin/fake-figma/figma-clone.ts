/**
 * What Figma carries across postMessage and keeps in clientStorage: plain objects, arrays, strings,
 * numbers, booleans, null, undefined and Uint8Array (postMessage also takes Date). Anything else
 * (functions, Maps, class instances, other typed arrays) is refused here, so the fake cannot accept
 * what Figma would drop or refuse.
 */
export function assertFigmaCloneable(
  value: unknown,
  where: string,
  options: { dates: boolean },
  path = 'value',
): void {
  if (value === null || value === undefined) return
  const kind = typeof value
  if (kind === 'string' || kind === 'boolean') return
  if (kind === 'number') return
  if (value instanceof Uint8Array && value.constructor === Uint8Array) return
  if (value instanceof Date && options.dates) return
  if (Array.isArray(value)) {
    for (const [index, item] of value.entries())
      assertFigmaCloneable(item, where, options, `${path}[${index}]`)
    return
  }
  if (kind === 'object') {
    const prototype = Object.getPrototypeOf(value)
    if (prototype === Object.prototype || prototype === null) {
      for (const [key, item] of Object.entries(value as object))
        assertFigmaCloneable(item, where, options, `${path}.${key}`)
      return
    }
  }
  const name = kind === 'object' ? (value as object).constructor?.name : kind
  throw new Error(`in ${where}: ${path} is a ${name}, which Figma cannot send or store`)
}
