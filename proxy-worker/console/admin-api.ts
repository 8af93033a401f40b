import type * as z from 'zod/mini'
import {
  AdminUserResponseSchema,
  AdminUserSummaryResponseSchema,
  CreatedUserResponseSchema,
  ErrorBodySchema,
  RotatedTokenResponseSchema,
  UsageReportResponseSchema,
  UserListResponseSchema,
  type UserPatch,
} from '../../shared'

/** A refusal from the service, in its own words; `unauthorized` when the admin token is wrong. */
export class AdminFailure extends Error {
  constructor(
    message: string,
    readonly unauthorized = false,
  ) {
    super(message)
  }
}

export const WRONG_ADMIN_TOKEN = 'That admin token is not valid.'

async function call<Schema extends z.ZodMiniType>(
  token: string,
  schema: Schema,
  path: string,
  init: { method?: string; body?: unknown } = {},
): Promise<z.infer<Schema>> {
  let response: Response
  try {
    response = await fetch(path, {
      method: init.method ?? 'GET',
      headers: {
        Authorization: `Bearer ${token}`,
        ...(init.body === undefined ? {} : { 'Content-Type': 'application/json' }),
      },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    })
  } catch {
    throw new AdminFailure('The Promptframe service did not answer. Check your connection.')
  }
  const json = await response.json().catch(() => null)
  if (!response.ok) {
    const error = ErrorBodySchema.safeParse(json)
    if (error.success && error.data.type === 'admin_unauthorized')
      throw new AdminFailure(WRONG_ADMIN_TOKEN, true)
    throw new AdminFailure(
      error.success ? error.data.message : `The service answered ${response.status}.`,
    )
  }
  return schema.parse(json)
}

/** Everything the console asks of the admin API, each answer checked against the shared schema. */
export function adminApi(token: string) {
  return {
    listUsers: async () => {
      const users = []
      let cursor: string | null = null
      do {
        const query: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''
        const page = await call(token, UserListResponseSchema, `/admin/users?limit=100${query}`)
        users.push(...page.data.users)
        cursor = page.data.cursor
      } while (cursor)
      return users
    },
    createUser: async (name: string, credits: number) =>
      (
        await call(token, CreatedUserResponseSchema, '/admin/users', {
          method: 'POST',
          body: { name, credits },
        })
      ).data,
    changeCredits: async (userId: string, delta: number, reason: string) =>
      (
        await call(token, AdminUserResponseSchema, `/admin/users/${userId}/credits`, {
          method: 'POST',
          body: { delta, reason },
        })
      ).data,
    update: async (userId: string, patch: UserPatch) =>
      (
        await call(token, AdminUserSummaryResponseSchema, `/admin/users/${userId}`, {
          method: 'PATCH',
          body: patch,
        })
      ).data,
    rotate: async (userId: string) =>
      (
        await call(token, RotatedTokenResponseSchema, `/admin/users/${userId}/token`, {
          method: 'POST',
          body: {},
        })
      ).data,
    ledger: async (userId: string, before?: number) =>
      (
        await call(
          token,
          AdminUserResponseSchema,
          `/admin/users/${userId}?entries=20${before === undefined ? '' : `&before=${before}`}`,
        )
      ).data,
    usage: async (from: string, to: string) =>
      (await call(token, UsageReportResponseSchema, `/admin/usage?from=${from}&to=${to}`)).data,
    /** The CSV as a file: fetched with the token in a header, never in a URL. */
    usageCsv: async (from: string, to: string): Promise<Blob> => {
      const response = await fetch(`/admin/usage?from=${from}&to=${to}&format=csv`, {
        headers: { Authorization: `Bearer ${token}` },
      })
      if (!response.ok) {
        const error = ErrorBodySchema.safeParse(await response.json().catch(() => null))
        throw new AdminFailure(error.success ? error.data.message : 'The export failed.')
      }
      return response.blob()
    },
  }
}

export type AdminApi = ReturnType<typeof adminApi>
