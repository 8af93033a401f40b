/** The calendar month of a moment, in UTC: "2026-12". Allowances and "this month" go by it. */
export function monthOf(now: number): string {
  return new Date(now).toISOString().slice(0, 7)
}

/** The day of a moment, in UTC: "2026-12-01". Usage is counted by it. */
export function dayOf(now: number): string {
  return new Date(now).toISOString().slice(0, 10)
}
