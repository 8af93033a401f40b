const held = new Set<string>()

/**
 * Runs `critical` while no other request of this isolate holds the same user's lock. KV has no
 * compare-and-set, so every read-modify-write of a user's balance goes through here. Waiters poll
 * instead of awaiting each other's promises: workerd forbids resolving one request's promise
 * from another request's context.
 */
export async function withUserLock<T>(userId: string, critical: () => Promise<T>): Promise<T> {
  while (held.has(userId)) {
    await new Promise((resolve) => setTimeout(resolve, 1))
  }
  held.add(userId)
  try {
    return await critical()
  } finally {
    held.delete(userId)
  }
}
