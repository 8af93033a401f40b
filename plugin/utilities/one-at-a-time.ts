/**
 * A queue for work on one stored value: each piece runs after every one queued before it has
 * finished (or failed), so changes arriving together each read what the one before wrote.
 */
export function oneAtATime(): <T>(work: () => Promise<T>) => Promise<T> {
  let queue: Promise<unknown> = Promise.resolve()
  return (work) => {
    const next = queue.then(work)
    queue = next.catch(() => {})
    return next
  }
}
