import * as z from 'zod/mini'
import { LedgerEntrySchema } from './account'
import { okEnvelope } from './envelope'
import { objectError } from './image-request'

const NAME_MISSING = 'Give the user a name.'
const CREDITS_MESSAGE = 'credits must be a whole number, 0 or more.'
const DELTA_MESSAGE =
  'delta must be a whole number of credits, positive to grant, negative to remove.'
const REASON_MISSING = 'Say why the credits change (reason).'

export const CreateUserSchema = z.strictObject(
  {
    name: z
      .string({ error: NAME_MISSING })
      .check(
        z.trim(),
        z.minLength(1, { error: NAME_MISSING }),
        z.maxLength(100, { error: 'Keep the name under 100 characters.' }),
      ),
    credits: z._default(
      z
        .int({ error: CREDITS_MESSAGE })
        .check(
          z.gte(0, { error: CREDITS_MESSAGE }),
          z.lte(1_000_000_000, { error: 'That is too many credits.' }),
        ),
      0,
    ),
  },
  { error: objectError },
)

export const CreditChangeSchema = z.strictObject(
  {
    delta: z.int({ error: DELTA_MESSAGE }).check(
      z.refine((delta) => delta !== 0, { error: 'delta must not be 0.' }),
      z.refine((delta) => Math.abs(delta) <= 1_000_000_000, { error: 'delta is too large.' }),
    ),
    reason: z
      .string({ error: REASON_MISSING })
      .check(
        z.trim(),
        z.minLength(1, { error: REASON_MISSING }),
        z.maxLength(200, { error: 'Keep the reason under 200 characters.' }),
      ),
  },
  { error: objectError },
)

export const LEDGER_PAGE_DEFAULT = 100
export const LEDGER_PAGE_MAX = 1000

const PAGE_SIZE_MESSAGE = `entries must be a whole number from 1 to ${LEDGER_PAGE_MAX}.`
const BEFORE_MESSAGE =
  'before must be a whole number, 0 or more: use ledger_from of the page after.'

/** `?entries=&before=`: a page of the ledger, the newest by default; `before` takes `ledger_from`. */
export const LedgerPageQuerySchema = z.object({
  entries: z.optional(
    z.string().check(
      z.regex(/^[1-9]\d{0,3}$/, { error: PAGE_SIZE_MESSAGE }),
      z.refine((value) => Number(value) <= LEDGER_PAGE_MAX, { error: PAGE_SIZE_MESSAGE }),
    ),
  ),
  before: z.optional(z.string().check(z.regex(/^\d{1,9}$/, { error: BEFORE_MESSAGE }))),
})

const USER_ID = /^u_[A-Za-z0-9_-]{8,40}$/
const DAY = /^\d{4}-\d{2}-\d{2}$/
const ALLOWANCE_MESSAGE =
  'monthly_allowance must be a whole number of credits, 0 or more, or null for none.'

/** The longest span one usage report covers. */
export const USAGE_MAX_DAYS = 366

/** `PATCH /admin/users/:id`: what an admin can change about a user; at least one field. */
export const UserPatchSchema = z
  .strictObject(
    {
      name: z.optional(
        z
          .string({ error: NAME_MISSING })
          .check(
            z.trim(),
            z.minLength(1, { error: NAME_MISSING }),
            z.maxLength(100, { error: 'Keep the name under 100 characters.' }),
          ),
      ),
      disabled: z.optional(z.boolean({ error: 'disabled must be true or false.' })),
      monthly_allowance: z.optional(
        z.nullable(
          z
            .int({ error: ALLOWANCE_MESSAGE })
            .check(
              z.gte(0, { error: ALLOWANCE_MESSAGE }),
              z.lte(1_000_000_000, { error: 'That allowance is too large.' }),
            ),
        ),
      ),
    },
    { error: objectError },
  )
  .check(
    z.refine((patch) => Object.keys(patch).length > 0, {
      error: 'Say what to change: name, disabled or monthly_allowance.',
    }),
  )

export type UserPatch = z.infer<typeof UserPatchSchema>

const LIMIT_MESSAGE = 'limit must be a whole number from 1 to 100.'

/** `GET /admin/users?cursor=&limit=`. */
export const UserListQuerySchema = z.object({
  cursor: z.optional(
    z.string().check(
      z.regex(/^[A-Za-z0-9+/=_.-]{1,2000}$/, {
        error: 'That cursor is not one this list gave out: start again without it.',
      }),
    ),
  ),
  limit: z.optional(
    z.string().check(
      z.regex(/^[1-9]\d{0,2}$/, { error: LIMIT_MESSAGE }),
      z.refine((value) => Number(value) <= 100, { error: LIMIT_MESSAGE }),
    ),
  ),
})

const dayField = (name: string) =>
  z.optional(
    z.string().check(
      z.regex(DAY, { error: `${name} must be a day written YYYY-MM-DD, such as 2026-12-01.` }),
      z.refine((value) => !Number.isNaN(Date.parse(`${value}T00:00:00Z`)), {
        error: `${name} is not a day of the calendar.`,
      }),
    ),
  )

/** `GET /admin/usage?from=&to=&user=&format=`: days in UTC, both ends included. */
export const UsageQuerySchema = z
  .object({
    from: dayField('from'),
    to: dayField('to'),
    user: z.optional(z.string().check(z.regex(USER_ID, { error: 'No user has this id.' }))),
    format: z.optional(z.enum(['json', 'csv'], { error: 'format must be json or csv.' })),
  })
  .check(
    z.refine((query) => !query.from || !query.to || query.from <= query.to, {
      error: 'from must be on or before to.',
    }),
    z.refine(
      (query) =>
        !query.from ||
        !query.to ||
        (Date.parse(query.to) - Date.parse(query.from)) / 86_400_000 < USAGE_MAX_DAYS,
      { error: `A report covers at most ${USAGE_MAX_DAYS} days: choose a shorter span.` },
    ),
  )

/** One user as the admin's list shows them. */
export const AdminUserSummarySchema = z.object({
  user_id: z.string(),
  name: z.string(),
  balance: z.int(),
  disabled: z.boolean(),
  /** Credits the balance is topped up to on the first use of each calendar month (UTC). */
  monthly_allowance: z.nullable(z.int()),
  /** Generation credits this calendar month, after refunds. */
  spent_this_month: z.int(),
  images_this_month: z.int(),
  last_active: z.nullable(z.string()),
  created_at: z.string(),
})

export type AdminUserSummary = z.infer<typeof AdminUserSummarySchema>

export const UserListSchema = z.object({
  users: z.array(AdminUserSummarySchema),
  /** Pass as `cursor` for the next page; null on the last. */
  cursor: z.nullable(z.string()),
})

export const UsageRowSchema = z.object({
  day: z.string(),
  user_id: z.string(),
  name: z.string(),
  credits: z.int(),
  images: z.int(),
})

export type UsageRow = z.infer<typeof UsageRowSchema>

export const UsageReportSchema = z.object({
  from: z.string(),
  to: z.string(),
  /** Days with use only, by day then user. */
  rows: z.array(UsageRowSchema),
  totals: z.object({ credits: z.int(), images: z.int() }),
})

export const RotatedTokenSchema = z.extend(AdminUserSummarySchema, {
  /** Shown once: only its hash is stored. The old token stops working at once. */
  token: z.string(),
})

export const UserListResponseSchema = okEnvelope(UserListSchema)
export const AdminUserSummaryResponseSchema = okEnvelope(AdminUserSummarySchema)
export const UsageReportResponseSchema = okEnvelope(UsageReportSchema)
export const RotatedTokenResponseSchema = okEnvelope(RotatedTokenSchema)

export const AdminUserSchema = z.object({
  user_id: z.string(),
  name: z.string(),
  balance: z.int(),
  disabled: z.boolean(),
  monthly_allowance: z.nullable(z.int()),
  created_at: z.string(),
  /** Entries `ledger_from` … of `ledger_total`, oldest first: the newest page unless `before` was given. */
  ledger: z.array(LedgerEntrySchema),
  ledger_from: z.int().check(z.gte(0)),
  ledger_total: z.int().check(z.gte(0)),
})

export const CreatedUserSchema = z.extend(AdminUserSchema, {
  /** Shown once: only its hash is stored. */
  token: z.string(),
})

export const CreatedUserResponseSchema = okEnvelope(CreatedUserSchema)
export const AdminUserResponseSchema = okEnvelope(AdminUserSchema)
