import type { LedgerEntry } from '../../shared'

export interface Env {
  STORE: KVNamespace
  IMAGES: R2Bucket
  IMAGE_PROVIDER?: string
  OPENAI_API_KEY?: string
  OPENAI_BASE_URL?: string
  KIE_API_KEY?: string
  KIE_BASE_URL?: string
  ADMIN_TOKEN?: string
  UPSTREAM_TIMEOUT_MS?: string
  HOLD_RELEASE_WAIT_MS?: string
  KIE_POLL_INTERVAL_MS?: string
  IMAGE_TTL_SECONDS?: string
  REFERENCE_TTL_SECONDS?: string
  PREVIEW_DELAY_MS?: string
  ENHANCE_MODEL?: string
  PUBLIC_BASE_URL?: string
}

export interface UserRecord {
  id: string
  name: string
  created_at: string
  /** SHA-256 of the user's token, hex; the token itself is never stored. */
  token_hash: string
  balance: number
  /** The newest ledger entries; older ones are archived in chunks so this record stays small. */
  ledger: LedgerEntry[]
  /** How many archived chunks precede `ledger` (keys ledger:<user id>:0 … n-1). */
  archived_chunks?: number
  /**
   * Credits taken by requests still running, by request id. A request that ends settles its hold;
   * one that never ends (its isolate died) leaves it behind, and it is given back once past `until`.
   */
  holds?: Record<string, CreditHold>
}

export interface CreditHold {
  credits: number
  /** Epoch milliseconds after which the request cannot still be running. */
  until: number
}

export interface AppVariables {
  user: UserRecord
  requestId: string
}

export interface AppEnv {
  Bindings: Env
  Variables: AppVariables
}

export function numberSetting(value: string | undefined, fallback: number): number {
  const parsed = Number(value)
  return value !== undefined && value !== '' && Number.isFinite(parsed) ? parsed : fallback
}

const DEFAULT_OPENAI_BASE_URL = 'https://api.openai.com/v1'

export function openAiBaseUrl(env: Env): string {
  return (env.OPENAI_BASE_URL || DEFAULT_OPENAI_BASE_URL).replace(/\/+$/, '')
}
