/**
 * Runs `work` on every item, at most `limit` at once, starting them in order as earlier ones
 * finish; resolves as `Promise.allSettled` would, in the items' order. An item whose turn comes
 * after `signal` has aborted is not started: it is rejected with the abort's reason.
 */
export async function settleLimited<Item, Result>(
  items: readonly Item[],
  limit: number,
  signal: AbortSignal,
  work: (item: Item) => Promise<Result>,
): Promise<PromiseSettledResult<Awaited<Result>>[]> {
  const outcomes: PromiseSettledResult<Awaited<Result>>[] = new Array(items.length)
  let next = 0
  const lane = async () => {
    while (next < items.length) {
      const index = next++
      try {
        signal.throwIfAborted()
        outcomes[index] = { status: 'fulfilled', value: await work(items[index]) }
      } catch (reason) {
        outcomes[index] = { status: 'rejected', reason }
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane))
  return outcomes
}
