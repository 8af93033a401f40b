import type { UsageRow } from '../../shared'

const DAY_MS = 86_400_000

export interface DayTotal {
  day: string
  credits: number
  images: number
}

/** The days from `from` to `to`, both included, each with the credits and images of the rows. */
export function dailySeries(rows: UsageRow[], from: string, to: string, userId?: string | null) {
  const totals = new Map<string, DayTotal>()
  for (let at = Date.parse(from); at <= Date.parse(to); at += DAY_MS) {
    const day = new Date(at).toISOString().slice(0, 10)
    totals.set(day, { day, credits: 0, images: 0 })
  }
  for (const row of rows) {
    if (userId && row.user_id !== userId) continue
    const total = totals.get(row.day)
    if (!total) continue
    total.credits += row.credits
    total.images += row.images
  }
  return [...totals.values()]
}

/** The last `days` days up to today, in UTC, as the usage API takes them. */
export function lastDays(days: number, now = Date.now()): { from: string; to: string } {
  const day = (at: number) => new Date(at).toISOString().slice(0, 10)
  return { from: day(now - (days - 1) * DAY_MS), to: day(now) }
}

/** A round top for the chart's scale: 1, 2 or 5 times a power of ten. */
export function niceCeiling(value: number): number {
  if (value <= 0) return 1
  const power = 10 ** Math.floor(Math.log10(value))
  return ([1, 2, 5, 10].find((step) => step * power >= value) ?? 10) * power
}
