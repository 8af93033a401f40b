import { describe, expect, it } from 'vitest'
import { sseStream } from '../../proxy-worker/src/generation/sse-stream'

type Event = { type: string; n: number }

describe('an event stream handed on only as its client reads', () => {
  it('tells that the client read it to its end', async () => {
    const { response, done, read } = sseStream<Event>(async ({ send, sent }) => {
      send({ type: 'tick', n: 1 })
      await sent()
      send({ type: 'tick', n: 2 })
    }, new AbortController().signal)
    const text = await response.text()
    expect(text).toContain('"n":1')
    expect(text).toContain('"n":2')
    await done
    expect(await read).toBe(true)
  })

  it('waits for the client before the next event, and tells when it went before the end', async () => {
    const progress: string[] = []
    const { response, done, read } = sseStream<Event>(async ({ send, sent, signal }) => {
      send({ type: 'tick', n: 1 })
      await sent()
      progress.push('first read')
      send({ type: 'tick', n: 2 })
      await sent()
      progress.push(signal.aborted ? 'client gone' : 'second read')
    }, new AbortController().signal)
    const reader = response.body!.getReader()
    await reader.read() // the opening comment
    expect(progress).toEqual([])
    await reader.read() // the first event
    await new Promise((resolve) => setTimeout(resolve, 20))
    expect(progress).toEqual(['first read'])
    await reader.cancel()
    await done
    expect(progress).toEqual(['first read', 'client gone'])
    expect(await read).toBe(false)
  })

  it('tells that the client went when its request is aborted', async () => {
    const client = new AbortController()
    const { done, read } = sseStream<Event>(async ({ signal }) => {
      await new Promise((resolve) => signal.addEventListener('abort', resolve))
    }, client.signal)
    client.abort()
    await done
    expect(await read).toBe(false)
  })
})
