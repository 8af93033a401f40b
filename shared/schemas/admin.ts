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

export const AdminUserSchema = z.object({
  user_id: z.string(),
  name: z.string(),
  balance: z.int(),
  created_at: z.string(),
  ledger: z.array(LedgerEntrySchema),
})

export const CreatedUserSchema = z.extend(AdminUserSchema, {
  /** Shown once: only its hash is stored. */
  token: z.string(),
})

export const CreatedUserResponseSchema = okEnvelope(CreatedUserSchema)
export const AdminUserResponseSchema = okEnvelope(AdminUserSchema)
