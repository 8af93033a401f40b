import type { UsageRow } from '../../../shared'
import type { Env } from '../env'
import { accountOf, listUserIds } from './account-store'
import { dayOf } from './calendar'

/** How many account objects a report asks at once. */
const PARALLEL_READS = 16
const DAY_MS = 86_400_000
export const DEFAULT_USAGE_DAYS = 30

/** The days a report covers: as asked, or the last 30 days up to today (UTC). */
export function usageSpan(now: number, from?: string, to?: string): { from: string; to: string } {
  const end =
    to ?? (from ? dayOf(Date.parse(from) + (DEFAULT_USAGE_DAYS - 1) * DAY_MS) : dayOf(now))
  return { from: from ?? dayOf(Date.parse(end) - (DEFAULT_USAGE_DAYS - 1) * DAY_MS), to: end }
}

async function everyUserId(store: KVNamespace): Promise<string[]> {
  const ids: string[] = []
  let cursor: string | undefined
  do {
    const page = await listUserIds(store, cursor, 1000)
    ids.push(...page.ids)
    cursor = page.cursor ?? undefined
  } while (cursor)
  return ids
}

async function inBatches<T, R>(items: T[], size: number, read: (item: T) => Promise<R>) {
  const results: R[] = []
  for (let start = 0; start < items.length; start += size)
    results.push(...(await Promise.all(items.slice(start, start + size).map(read))))
  return results
}

/** Credits and images per user per day, read from each user's account object. */
export async function usageReport(env: Env, span: { from: string; to: string }, userId?: string) {
  const ids = userId ? [userId] : await everyUserId(env.STORE)
  const perUser = await inBatches(ids, PARALLEL_READS, (id) =>
    accountOf(env, id).usage(id, span.from, span.to),
  )
  const rows = perUser
    .flat()
    .sort((a, b) => a.day.localeCompare(b.day) || a.name.localeCompare(b.name))
  const totals = rows.reduce(
    (sum, row) => ({ credits: sum.credits + row.credits, images: sum.images + row.images }),
    { credits: 0, images: 0 },
  )
  return { ...span, rows, totals }
}

/** A cell as a spreadsheet should read it: quoted when needed, and never run as a formula. */
function csvCell(value: string | number): string {
  const text = String(value)
  const safe = typeof value === 'string' && /^[=+\-@\t\r]/.test(text) ? `'${text}` : text
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe
}

export function usageCsv(rows: UsageRow[]): string {
  const lines = [['day', 'user_id', 'name', 'credits', 'images'].join(',')]
  for (const row of rows)
    lines.push([row.day, row.user_id, row.name, row.credits, row.images].map(csvCell).join(','))
  return `${lines.join('\r\n')}\r\n`
}
