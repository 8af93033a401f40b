const held = new Set<string>()

/**
 * Runs `critical` while no other request of this isolate holds the lock of the same name (a user's
 * id while their record is read in, or an idempotency record's key). KV has no compare-and-set.
 * Waiters poll instead of awaiting each other's promises: workerd forbids resolving one request's
 * promise from another request's context.
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
