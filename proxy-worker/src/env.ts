import type { AccountRecord } from './accounts/account-record'
import type { Access, UserAccount } from './accounts/user-account'

export interface Env {
  STORE: KVNamespace
  IMAGES: R2Bucket
  ACCOUNTS: DurableObjectNamespace<UserAccount>
  IMAGE_PROVIDER?: string
  OPENAI_API_KEY?: string
  OPENAI_BASE_URL?: string
  KIE_API_KEY?: string
  KIE_BASE_URL?: string
  /** Hosts KIE serves results from, comma-separated ("*.example.com" for subdomains). */
  KIE_RESULT_HOSTS?: string
  /** Enhance calls per user per minute (30 by default). */
  ENHANCE_PER_MINUTE?: string
  ADMIN_TOKEN?: string
  UPSTREAM_TIMEOUT_MS?: string
  /** How many generations one user may have running at once (8 by default). */
  MAX_CONCURRENT_PER_USER?: string
  KIE_POLL_INTERVAL_MS?: string
  IMAGE_TTL_SECONDS?: string
  REFERENCE_TTL_SECONDS?: string
  PREVIEW_DELAY_MS?: string
  ENHANCE_MODEL?: string
  PUBLIC_BASE_URL?: string
  /** Tests only: a clock to use instead of the system's (to stand at a month boundary, say). */
  CLOCK?: { now(): number }
}

/** The time by the worker's clock. */
export function clockNow(env: Env): number {
  return env.CLOCK?.now() ?? Date.now()
}

/** Who a request is from: the user's KV record, as authentication read it (its balance may trail). */
export type UserRecord = AccountRecord

export interface AppVariables {
  user: UserRecord
  /** Who is asking, checked again by the user's account object on every call. */
  access: Access
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
