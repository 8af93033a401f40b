import { decodeBase64 } from '../../../shared'
import { ApiError } from '../http/api-error'

const KEY = new TextEncoder().encode('"b64_json"')
const QUOTE = 0x22
const BACKSLASH = 0x5c
const COLON = 0x3a
const isJsonSpace = (byte: number) =>
  byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09
const ascii = new TextDecoder()

type State =
  | { kind: 'seeking'; matched: number }
  | { kind: 'before-colon' }
  | { kind: 'before-value' }
  | { kind: 'in-value' }

/** Where one image's decoded bytes go as its base64 arrives, piece by piece, in order. */
export interface DecodedImageTarget {
  write(bytes: Uint8Array): Promise<void> | void
  /** The image's value has ended. */
  close(): Promise<void> | void
  /** The image will not be finished: let go of what was written. */
  abort?(): Promise<void> | void
}

/** Decodes one base64 value as its text arrives, four characters at a time. */
class Base64Decoder {
  private carry = ''

  private decode(text: string): Uint8Array {
    try {
      return decodeBase64(text)
    } catch {
      throw new ApiError(
        'upstream_malformed',
        'The image model sent an image we could not read. Your credits were refunded: try again.',
      )
    }
  }

  /** The bytes of the whole quads so far; the rest waits for the next piece. */
  push(chunk: Uint8Array): Uint8Array | null {
    if (chunk.length === 0) return null
    const text = this.carry + ascii.decode(chunk)
    const whole = text.length - (text.length % 4)
    this.carry = text.slice(whole)
    return whole > 0 ? this.decode(text.slice(0, whole)) : null
  }

  finish(): Uint8Array | null {
    return this.carry ? this.decode(this.carry) : null
  }
}

/**
 * Reads an OpenAI `ImagesResponse` as it streams in and writes each `b64_json` image, decoded, to
 * a target of its own as its base64 arrives; the answer is read on only once a write is done, so
 * a slow target holds the upstream back instead of the answer piling up. Neither the whole
 * answer's text nor its base64 strings are ever held: parsed whole, four 15 MB images took over
 * 300 MB (measured, RSS), and Workers allow an isolate 128 MB. In valid JSON an unescaped
 * `"b64_json"` followed by `:` can only be a key, so text elsewhere in the answer (a revised
 * prompt, say) cannot be taken for an image. Returns how many images it found; a value that is
 * not base64 is an `upstream_malformed` error.
 */
export async function readB64ImageParts(
  body: ReadableStream<Uint8Array>,
  open: () => DecodedImageTarget,
): Promise<number> {
  let state: State = { kind: 'seeking', matched: 0 }
  let decoder = new Base64Decoder()
  let target: DecodedImageTarget | null = null
  let found = 0
  const write = async (piece: Uint8Array) => {
    const bytes = decoder.push(piece)
    if (bytes) await target!.write(bytes)
  }
  const reader = body.getReader()
  for (;;) {
    const { done, value: chunk } = await reader.read()
    if (done) break
    let i = 0
    while (i < chunk.length) {
      if (state.kind === 'in-value') {
        const end = chunk.indexOf(QUOTE, i)
        const stop = end === -1 ? chunk.length : end
        // JSON may write "/" as "\/": dropping the backslash unescapes it, even across chunks.
        for (let at = chunk.indexOf(BACKSLASH, i); at !== -1 && at < stop; ) {
          await write(chunk.subarray(i, at))
          i = at + 1
          at = chunk.indexOf(BACKSLASH, i)
        }
        await write(chunk.subarray(i, stop))
        if (end === -1) break
        const last = decoder.finish()
        if (last) await target!.write(last)
        await target!.close()
        found++
        decoder = new Base64Decoder()
        target = null
        state = { kind: 'seeking', matched: 0 }
        i = end + 1
        continue
      }
      const byte = chunk[i++]
      if (state.kind === 'seeking') {
        if (byte === KEY[state.matched]) state.matched++
        else state.matched = byte === KEY[0] ? 1 : 0
        if (state.matched === KEY.length) state = { kind: 'before-colon' }
      } else if (state.kind === 'before-colon') {
        if (byte === COLON) state = { kind: 'before-value' }
        else if (!isJsonSpace(byte)) state = { kind: 'seeking', matched: byte === KEY[0] ? 1 : 0 }
      } else if (byte === QUOTE) {
        state = { kind: 'in-value' }
        target = open()
      } else if (!isJsonSpace(byte)) {
        state = { kind: 'seeking', matched: 0 }
      }
    }
  }
  return found
}
