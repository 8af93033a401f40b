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

export const AdminUserSchema = z.object({
  user_id: z.string(),
  name: z.string(),
  balance: z.int(),
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
