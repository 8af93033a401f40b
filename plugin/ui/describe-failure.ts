import { ApiFailure } from './api/api-failure'

/** The one place that turns any failure into words for the designer. */
export function describeFailure(error: unknown): string {
  if (error instanceof ApiFailure) {
    if (error.type === 'unauthorized') {
      return 'Your token was not accepted. Open Settings and paste the token your team admin gave you.'
    }
    return error.message
  }
  return 'Something went wrong. Try again, and tell your team admin if it keeps happening.'
}
