import { ERROR_TYPES, type ErrorType } from '../../../shared'

/** The one error the worker throws; `onError` turns it into the one error body. */
export class ApiError extends Error {
  readonly type: ErrorType
  readonly status: number

  constructor(type: ErrorType, message: string) {
    super(message)
    this.type = type
    this.status = ERROR_TYPES[type].status
  }
}

export function isAbortError(error: unknown): boolean {
  return error instanceof Error && (error.name === 'AbortError' || error.name === 'TimeoutError')
}
