import type { ReferenceImage } from './image-provider'

export interface MultipartFile {
  field: string
  file: ReferenceImage
}

const encoder = new TextEncoder()

/**
 * A multipart/form-data body that streams each file from where it is kept as the upstream reads
 * it, with its exact length declared, so an edit with 16 references never holds them all. Field
 * names and file names are the worker's own (reference-N.ext), so they need no escaping; values
 * cannot break out, as the boundary is random.
 */
export function multipartBody(
  fields: Record<string, string>,
  files: MultipartFile[],
): { body: ReadableStream<Uint8Array>; contentType: string } {
  const boundary = `promptframe-${crypto.randomUUID()}`
  const pieces: (Uint8Array | ReferenceImage)[] = []
  for (const [name, value] of Object.entries(fields)) {
    pieces.push(
      encoder.encode(
        `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`,
      ),
    )
  }
  for (const { field, file } of files) {
    pieces.push(
      encoder.encode(
        `--${boundary}\r\nContent-Disposition: form-data; name="${field}"; filename="${file.name}"\r\nContent-Type: ${file.mimeType}\r\n\r\n`,
      ),
      file,
      encoder.encode('\r\n'),
    )
  }
  pieces.push(encoder.encode(`--${boundary}--\r\n`))
  const length = pieces.reduce(
    (sum, piece) => sum + (piece instanceof Uint8Array ? piece.length : piece.byteLength),
    0,
  )
  const { readable, writable } = new FixedLengthStream(length)
  void (async () => {
    for (const piece of pieces) {
      if (piece instanceof Uint8Array) {
        const writer = writable.getWriter()
        try {
          await writer.write(piece)
        } finally {
          writer.releaseLock()
        }
      } else {
        await (await piece.stream()).pipeTo(writable, { preventClose: true })
      }
    }
    await writable.close()
  })().catch((error) => writable.abort(error).catch(() => {}))
  return { body: readable, contentType: `multipart/form-data; boundary=${boundary}` }
}
