import { expect, it } from 'vitest'
import { decodeBase64, encodeBase64 } from '../../shared/base64'

const KNOWN: [string, string][] = [
  ['', ''],
  ['f', 'Zg=='],
  ['fo', 'Zm8='],
  ['foo', 'Zm9v'],
  ['foob', 'Zm9vYg=='],
  ['hello, world', 'aGVsbG8sIHdvcmxk'],
]

/** The same cases for the built-in path (workerd) and the fallback (Node 22). */
export function base64Cases(builtIn: boolean) {
  it(`runs ${builtIn ? 'the built-in' : 'the JavaScript'} base64 here`, () => {
    expect('fromBase64' in Uint8Array).toBe(builtIn)
  })

  it('encodes and decodes the RFC 4648 vectors', () => {
    for (const [text, b64] of KNOWN) {
      const bytes = new TextEncoder().encode(text)
      expect(encodeBase64(bytes)).toBe(b64)
      expect(decodeBase64(b64)).toEqual(bytes)
    }
  })

  it('round-trips every byte value and an image-sized buffer', () => {
    const all = Uint8Array.from({ length: 256 }, (_, i) => i)
    expect(decodeBase64(encodeBase64(all))).toEqual(all)
    const big = new Uint8Array(1_500_000)
    for (let i = 0; i < big.length; i += 65_536) crypto.getRandomValues(big.subarray(i, i + 65_536))
    const b64 = encodeBase64(big)
    expect(b64).toHaveLength(2_000_000)
    const decoded = decodeBase64(b64)
    expect(decoded).toHaveLength(big.length)
    expect(decoded.findIndex((value, i) => value !== big[i])).toBe(-1)
  })

  it('refuses text that is not base64', () => {
    expect(() => decodeBase64('not base64!')).toThrow()
  })
}
