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

/** What `produce` is given to answer with. */
export interface SseWriter<Event> {
  send: (event: Event) => void
  /** Fires when the client goes away. */
  signal: AbortSignal
  /** Settles once the client has read all that was sent, or has gone. */
  sent: () => Promise<void>
}

/**
 * A text/event-stream response fed by `produce`, with a keep-alive comment every second. Nothing
 * is handed on before the client reads it, so `read` can tell whether the client took the whole
 * answer (true) or went before its end (false). `done` settles when `produce` has finished.
 */
export function sseStream<Event extends { type: string }>(
  produce: (writer: SseWriter<Event>) => Promise<void>,
  clientSignal: AbortSignal,
): { response: Response; done: Promise<void>; read: Promise<boolean> } {
  const disconnected = new AbortController()
  const signal = AbortSignal.any([clientSignal, disconnected.signal])
  const queue: Uint8Array[] = []
  let open = true
  let ended = false
  let change = Promise.withResolvers<void>()
  const notify = () => {
    change.resolve()
    change = Promise.withResolvers<void>()
  }
  const { promise: read, resolve: readToEnd } = Promise.withResolvers<boolean>()
  const leave = () => {
    if (!open) return
    open = false
    queue.length = 0
    readToEnd(false)
    disconnected.abort()
    notify()
  }
  if (clientSignal.aborted) leave()
  else clientSignal.addEventListener('abort', leave, { once: true })
  const write = (text: string) => {
    if (!open) return
    queue.push(encoder.encode(text))
    notify()
  }
  const body = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        while (open && queue.length === 0 && !ended) await change.promise
        const next = queue.shift()
        if (next) {
          controller.enqueue(next)
          return notify()
        }
        readToEnd(open)
        open = false
        try {
          controller.close()
        } catch {
          // Cancelled by the reader: the stream is closed already.
        }
      },
      cancel: leave,
    },
    { highWaterMark: 0 },
  )
  const sent = async () => {
    while (open && queue.length > 0) await change.promise
  }
  write(': stream open\n\n')
  const heartbeat = setInterval(() => write(': keep-alive\n\n'), HEARTBEAT_MS)
  const done = produce({ send: (event) => write(formatSseEvent(event)), signal, sent }).finally(
    () => {
      clearInterval(heartbeat)
      ended = true
      notify()
    },
  )
  const response = new Response(body, {
    headers: {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache, no-transform',
      'X-Accel-Buffering': 'no',
    },
  })
  return { response, done, read }
}
