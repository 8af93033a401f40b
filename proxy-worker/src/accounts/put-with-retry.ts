/** KV takes one write per key per second; a faster one fails (429) and is worth one more try. */
const ATTEMPTS = 3
const FIRST_RETRY_MS = 1000

/**
 * Writes a whole value, and tries again after a pause when the write fails. Safe because the value
 * is a complete state, not a change: landing it twice leaves the same state. Callers hold the
 * user's lock, so no newer value of the key can be overtaken by a retry.
 */
export async function putWithRetry(store: KVNamespace, key: string, value: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await store.put(key, value)
      return
    } catch (error) {
      if (attempt >= ATTEMPTS) throw error
      await new Promise((resolve) => setTimeout(resolve, FIRST_RETRY_MS * attempt))
    }
  }
}
