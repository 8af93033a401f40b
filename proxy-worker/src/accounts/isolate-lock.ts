const held = new Map<string, { since: number }>()

/**
 * A lock held this long belongs to a request that is gone (its work never settles); the next
 * request takes it, so one lost request cannot stop a user, or a key, for the isolate's lifetime.
 */
const STALLED_LOCK_MS = 10_000

/**
 * Runs `critical` while no other request of this isolate holds the lock of the same name (a user's
 * id while their record is read in, or an idempotency record's key). KV has no compare-and-set.
 * Waiters poll instead of awaiting each other's promises: workerd forbids resolving one request's
 * promise from another request's context.
 */
export async function withIsolateLock<T>(name: string, critical: () => Promise<T>): Promise<T> {
  for (;;) {
    const holder = held.get(name)
    if (!holder || Date.now() - holder.since > STALLED_LOCK_MS) break
    await new Promise((resolve) => setTimeout(resolve, 1))
  }
  const mine = { since: Date.now() }
  held.set(name, mine)
  try {
    return await critical()
  } finally {
    if (held.get(name) === mine) held.delete(name)
  }
}
