import { z } from 'zod'
import { LedgerEntrySchema } from './account'
import { okEnvelope } from './envelope'

export const CreateUserSchema = z.strictObject({
  name: z
    .string({ error: 'Give the user a name.' })
    .trim()
    .min(1, { error: 'Give the user a name.' })
    .max(100, { error: 'Keep the name under 100 characters.' }),
  credits: z
    .number({ error: 'credits must be a whole number, 0 or more.' })
    .int({ error: 'credits must be a whole number, 0 or more.' })
    .min(0, { error: 'credits must be a whole number, 0 or more.' })
    .max(1_000_000_000)
    .default(0),
})

export const CreditChangeSchema = z.strictObject({
  delta: z
    .number({
      error: 'delta must be a whole number of credits, positive to grant, negative to remove.',
    })
    .int({ error: 'delta must be a whole number of credits.' })
    .refine((delta) => delta !== 0, { error: 'delta must not be 0.' })
    .refine((delta) => Math.abs(delta) <= 1_000_000_000, { error: 'delta is too large.' }),
  reason: z
    .string({ error: 'Say why the credits change (reason).' })
    .trim()
    .min(1, { error: 'Say why the credits change (reason).' })
    .max(200),
})

export const AdminUserSchema = z.object({
  user_id: z.string(),
  name: z.string(),
  balance: z.number().int(),
  created_at: z.string(),
  ledger: z.array(LedgerEntrySchema),
})

export const CreatedUserSchema = AdminUserSchema.extend({
  /** Shown once: only its hash is stored. */
  token: z.string(),
})

export const CreatedUserResponseSchema = okEnvelope(CreatedUserSchema)
export const AdminUserResponseSchema = okEnvelope(AdminUserSchema)
