/**
 * Base64 for the few places bytes must travel as text: OpenAI's b64_json, SSE partial previews and
 * data: URLs. Workers and current Chromium have it built in, and for a 2 MB image that is measured
 * at about 2 ms against 90 ms to encode in JavaScript (3 ms against 10 ms to decode); the loops
 * below are for runtimes without it (Node 22, older Figma desktop apps).
 */
interface NativeBase64 {
  fromBase64?: (text: string) => Uint8Array
}

export function decodeBase64(b64: string): Uint8Array {
  const native = Uint8Array as unknown as NativeBase64
  if (native.fromBase64) return native.fromBase64(b64)
  const binary = atob(b64)
  const bytes = new Uint8Array(binary.length)
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i)
  return bytes
}

export function encodeBase64(bytes: Uint8Array): string {
  const native = bytes as Uint8Array & { toBase64?: () => string }
  if (native.toBase64) return native.toBase64()
  let binary = ''
  const chunk = 0x8000
  for (let i = 0; i < bytes.length; i += chunk) {
    binary += String.fromCharCode(...bytes.subarray(i, i + chunk))
  }
  return btoa(binary)
}
