import * as z from 'zod/mini'
import { okEnvelope } from './envelope'

export const LedgerEntrySchema = z.object({
  id: z.string(),
  at: z.string(),
  delta: z.int(),
  reason: z.string(),
  request_id: z.optional(z.string()),
  balance_after: z.int(),
})

export type LedgerEntry = z.infer<typeof LedgerEntrySchema>

export const AccountSchema = z.object({
  user_id: z.string(),
  name: z.string(),
  balance: z.int(),
  recent_usage: z.array(LedgerEntrySchema),
})

export type Account = z.infer<typeof AccountSchema>

export const AccountResponseSchema = okEnvelope(AccountSchema)
