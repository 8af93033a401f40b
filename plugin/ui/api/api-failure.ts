/** A failure the designer can act on; `type` is the worker's error type or a local one. */
export class ApiFailure extends Error {
  readonly type: string
  constructor(type: string, message: string) {
    super(message)
    this.type = type
  }
}

export const NOT_CONFIGURED =
  'Add your Promptframe token in Settings to start. Your team admin can give you one.'

export function networkMessage(workerUrl: string): string {
  return `Can't reach the Promptframe service at ${workerUrl}. Check your internet connection, or the service address in Settings.`
}

export const CANCELLED_MESSAGE =
  'Generation cancelled. Credits for images that were not made were refunded.'

export function isAbort(error: unknown): boolean {
  return error instanceof DOMException && error.name === 'AbortError'
}
