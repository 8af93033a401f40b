/**
 * A Promptframe token names its user, so the worker authenticates with one read:
 * `pf_<user id>.<secret>`. The worker keeps only the token's SHA-256, which is what proves the secret.
 */
export const TOKEN_PATTERN = /^pf_(u_[A-Za-z0-9_-]{8,40})\.[A-Za-z0-9_-]{32,100}$/

/** The user id a token names, or null when it is not shaped like a Promptframe token. */
export function userIdOfToken(token: string): string | null {
  return TOKEN_PATTERN.exec(token)?.[1] ?? null
}
