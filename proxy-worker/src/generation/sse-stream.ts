/**
 * A keep-alive comment goes out every second: it keeps idle timeouts away from generations of
 * several minutes, and where the request's abort signal does not reach the worker (a local dev
 * proxy), a write to a client that has gone is how its leaving is noticed, within a second.
 */
const HEARTBEAT_MS = 1000
const encoder = new TextEncoder()

export function formatSseEvent(event: { type: string }): string {
  return `event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`
}

/**
 * A text/event-stream response fed by `produce`, with a keep-alive comment every second; when the
 * client goes away the `signal` given to `produce` fires. The returned promise settles when
 * `produce` has finished.
 */
export function sseStream<Event extends { type: string }>(
  produce: (send: (event: Event) => void, signal: AbortSignal) => Promise<void>,
  clientSignal: AbortSignal,
): { response: Response; done: Promise<void> } {
  const disconnected = new AbortController()
  const signal = AbortSignal.any([clientSignal, disconnected.signal])
  let controller!: ReadableStreamDefaultController<Uint8Array>
  let open = true
  const write = (text: string) => {
    if (!open) return
    try {
      controller.enqueue(encoder.encode(text))
    } catch {
      open = false
    }
  }
  const body = new ReadableStream<Uint8Array>({
    start(streamController) {
      controller = streamController
    },
    cancel() {
      open = false
      disconnected.abort()
    },
  })
  write(': stream open\n\n')
  const heartbeat = setInterval(() => write(': keep-alive\n\n'), HEARTBEAT_MS)
  const done = produce((event) => write(formatSseEvent(event)), signal).finally(() => {
    clearInterval(heartbeat)
    if (open) {
      open = false
      controller.close()
    }
  })
  const response = new Response(body, {
    headers: {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache, no-transform',
      'X-Accel-Buffering': 'no',
    },
  })
  return { response, done }
}
