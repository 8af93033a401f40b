import { useEffect, useState } from 'preact/hooks'
import type { AdminUserSummary, UsageRow } from '../../../shared'
import type { AdminApi } from '../admin-api'
import { type DayTotal, dailySeries, lastDays, niceCeiling } from '../usage-series'
import type { Act } from './team-view'

const DAYS = 30
const WIDTH = 640
const HEIGHT = 180
const PLOT = { left: 40, right: 8, top: 10, bottom: 24 }

/** Credits per day as bars, drawn as SVG; each bar says its day, credits and images. */
function UsageChart({ days }: { days: DayTotal[] }) {
  const top = niceCeiling(Math.max(0, ...days.map((day) => day.credits)))
  const plotWidth = WIDTH - PLOT.left - PLOT.right
  const plotHeight = HEIGHT - PLOT.top - PLOT.bottom
  const slot = plotWidth / days.length
  const y = (credits: number) => PLOT.top + plotHeight - (credits / top) * plotHeight
  return (
    <svg
      viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
      role="img"
      aria-label={`Credits per day, ${days[0]?.day} to ${days.at(-1)?.day}`}
      data-testid="usage-chart"
    >
      {[0, top / 2, top].map((value) => (
        <g key={value}>
          <line class="grid" x1={PLOT.left} x2={WIDTH - PLOT.right} y1={y(value)} y2={y(value)} />
          <text class="axis" x={PLOT.left - 6} y={y(value) + 4} text-anchor="end">
            {value}
          </text>
        </g>
      ))}
      {days.map((day, index) => (
        <rect
          key={day.day}
          class="bar"
          data-day={day.day}
          data-credits={day.credits}
          x={PLOT.left + index * slot + 1}
          y={y(day.credits)}
          width={Math.max(1, slot - 2)}
          height={PLOT.top + plotHeight - y(day.credits)}
        >
          <title>
            {day.day}: {day.credits} credits, {day.images} images
          </title>
        </rect>
      ))}
      {days.map((day, index) =>
        // A label a week, counted back from today, so the last bar is always named.
        (days.length - 1 - index) % 7 === 0 ? (
          <text
            key={`label-${day.day}`}
            class="axis"
            x={PLOT.left + index * slot + slot / 2}
            y={HEIGHT - 6}
            text-anchor="middle"
          >
            {day.day.slice(5)}
          </text>
        ) : null,
      )}
    </svg>
  )
}

export function UsagePanel(props: { api: AdminApi; act: Act; users: AdminUserSummary[] }) {
  const { api, act } = props
  const [span] = useState(() => lastDays(DAYS))
  const [rows, setRows] = useState<UsageRow[] | null>(null)
  const [who, setWho] = useState('')
  // Read again when the team changes (a user created, credits moved).
  useEffect(() => {
    act(() => api.usage(span.from, span.to)).then((report) => report && setRows(report.rows))
  }, [api, act, span, props.users])
  async function exportCsv() {
    const file = await act(
      () => api.usageCsv(span.from, span.to),
      () => 'Exported the usage as CSV.',
    )
    if (!file) return
    const link = document.createElement('a')
    link.href = URL.createObjectURL(file)
    link.download = `promptframe-usage-${span.from}-to-${span.to}.csv`
    link.click()
    setTimeout(() => URL.revokeObjectURL(link.href), 1000)
  }
  const days = dailySeries(rows ?? [], span.from, span.to, who || null)
  const credits = days.reduce((sum, day) => sum + day.credits, 0)
  const images = days.reduce((sum, day) => sum + day.images, 0)
  return (
    <section class="card" aria-labelledby="usage-heading">
      <div class="row spread">
        <h2 id="usage-heading">Usage, last {DAYS} days</h2>
        <div class="row">
          <label for="usage-who" class="inline">
            Show
          </label>
          <select
            id="usage-who"
            value={who}
            onChange={(event) => setWho(event.currentTarget.value)}
          >
            <option value="">Everyone</option>
            {props.users.map((user) => (
              <option key={user.user_id} value={user.user_id}>
                {user.name}
              </option>
            ))}
          </select>
          <button type="button" onClick={exportCsv}>
            Export CSV
          </button>
        </div>
      </div>
      {rows === null ? (
        <p class="muted">Loading usage…</p>
      ) : (
        <>
          <UsageChart days={days} />
          <p class="muted" data-testid="usage-total">
            {credits} {credits === 1 ? 'credit' : 'credits'} and {images}{' '}
            {images === 1 ? 'image' : 'images'} from {span.from} to {span.to} (UTC).
          </p>
        </>
      )}
    </section>
  )
}
