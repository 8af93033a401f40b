const held = new Set<string>()

/**
 * Runs `critical` while no other request of this isolate holds the lock of the same name (a user's
 * id, or an idempotency record's key). KV has no compare-and-set, so every read-modify-write of a
 * user's balance goes through here. Waiters poll
 * instead of awaiting each other's promises: workerd forbids resolving one request's promise
 * from another request's context.
 */
export async function withIsolateLock<T>(name: string, critical: () => Promise<T>): Promise<T> {
  while (held.has(name)) {
    await new Promise((resolve) => setTimeout(resolve, 1))
  }
  held.add(name)
  try {
    return await critical()
  } finally {
    held.delete(name)
  }
}
