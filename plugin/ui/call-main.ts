import { type EventHandler, emit, on } from '@create-figma-plugin/utilities'

type AfterId<T extends unknown[]> = T extends [string, ...infer Rest] ? Rest : never

let counter = 0

/**
 * Sends a request to the main thread and resolves with its answer. Both carry the same request id
 * as their first argument, so answers to other requests (or other UIs' requests) are ignored.
 */
export function callMain<Request extends EventHandler, Answer extends EventHandler>(
  request: Request['name'],
  answer: Answer['name'],
  ...args: AfterId<Parameters<Request['handler']>>
): Promise<AfterId<Parameters<Answer['handler']>>> {
  const requestId = `${request}-${++counter}`
  return new Promise((resolve) => {
    const stop = on<Answer>(answer, ((answerId: string, ...rest: unknown[]) => {
      if (answerId !== requestId) return
      stop()
      resolve(rest as AfterId<Parameters<Answer['handler']>>)
    }) as Answer['handler'])
    emit<Request>(request, ...([requestId, ...args] as Parameters<Request['handler']>))
  })
}
