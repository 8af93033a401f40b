import { useEffect, useState } from 'preact/hooks'
import type { AdminUserSummary, LedgerEntry } from '../../../shared'
import type { AdminApi } from '../admin-api'
import type { Act } from './team-view'
import { TokenReveal } from './token-reveal'

interface Props {
  user: AdminUserSummary
  api: AdminApi
  act: Act
  onChanged: () => Promise<void>
}

function Credits({ user, api, act, onChanged }: Props) {
  const [amount, setAmount] = useState('')
  const [reason, setReason] = useState('')
  async function change(sign: 1 | -1) {
    const delta = sign * Number(amount)
    const done = await act(
      () => api.changeCredits(user.user_id, delta, reason),
      (view) =>
        `${sign > 0 ? 'Granted' : 'Deducted'} ${Math.abs(delta)} credits: ${view.name} now has ${view.balance}.`,
    )
    if (!done) return
    setAmount('')
    setReason('')
    await onChanged()
  }
  return (
    <fieldset>
      <legend>Credits</legend>
      <div class="row">
        <div>
          <label for="credit-amount">Credits</label>
          <input
            id="credit-amount"
            type="number"
            min="1"
            step="1"
            value={amount}
            onInput={(event) => setAmount(event.currentTarget.value)}
          />
        </div>
        <div class="grow">
          <label for="credit-reason">Reason</label>
          <input
            id="credit-reason"
            value={reason}
            placeholder="December budget"
            onInput={(event) => setReason(event.currentTarget.value)}
          />
        </div>
      </div>
      <div class="row">
        <button type="button" class="primary" onClick={() => change(1)}>
          Grant
        </button>
        <button type="button" onClick={() => change(-1)}>
          Deduct
        </button>
      </div>
    </fieldset>
  )
}

function Access({ user, api, act, onChanged }: Props) {
  const [confirming, setConfirming] = useState(false)
  const [newToken, setNewToken] = useState<string | null>(null)
  const [allowance, setAllowance] = useState(
    user.monthly_allowance === null ? '' : String(user.monthly_allowance),
  )
  async function rotate() {
    setConfirming(false)
    const rotated = await act(
      () => api.rotate(user.user_id),
      (view) => `${view.name} has a new token; the old one no longer works.`,
    )
    if (rotated) setNewToken(rotated.token)
  }
  async function toggle() {
    const changed = await act(
      () => api.update(user.user_id, { disabled: !user.disabled }),
      (view) =>
        view.disabled
          ? `${view.name} is turned off: their requests are refused until you turn them on.`
          : `${view.name} is turned on again.`,
    )
    if (changed) await onChanged()
  }
  async function saveAllowance(event: Event) {
    event.preventDefault()
    const monthly = allowance.trim() === '' ? null : Number(allowance)
    const changed = await act(
      () => api.update(user.user_id, { monthly_allowance: monthly }),
      (view) =>
        view.monthly_allowance === null
          ? `${view.name} has no monthly allowance.`
          : `From next month, ${view.name}’s balance is topped up to ${view.monthly_allowance} credits on their first use of each month.`,
    )
    if (changed) await onChanged()
  }
  return (
    <fieldset>
      <legend>Access</legend>
      {newToken && (
        <TokenReveal name={user.name} token={newToken} onDone={() => setNewToken(null)} />
      )}
      <div class="row">
        {confirming ? (
          <span class="row">
            <span>The current token stops working at once.</span>
            <button type="button" class="danger" onClick={rotate}>
              Rotate now
            </button>
            <button type="button" onClick={() => setConfirming(false)}>
              Keep it
            </button>
          </span>
        ) : (
          <button type="button" onClick={() => setConfirming(true)}>
            Rotate token
          </button>
        )}
        <button type="button" class={user.disabled ? 'primary' : 'danger'} onClick={toggle}>
          {user.disabled ? 'Turn on' : 'Turn off'}
        </button>
      </div>
      <form class="row" onSubmit={saveAllowance}>
        <div>
          <label for="allowance">Monthly allowance</label>
          <input
            id="allowance"
            type="number"
            min="0"
            step="1"
            placeholder="None"
            value={allowance}
            onInput={(event) => setAllowance(event.currentTarget.value)}
          />
        </div>
        <button type="submit">Set allowance</button>
      </form>
      <p class="muted small">
        On a user’s first use of each month (UTC), their balance is topped up to the allowance,
        never lowered. Leave it empty for none.
      </p>
    </fieldset>
  )
}

function Ledger({ user, api, act }: Props) {
  const [page, setPage] = useState<{ entries: LedgerEntry[]; from: number; total: number } | null>(
    null,
  )
  const [before, setBefore] = useState<number | undefined>(undefined)
  // A new balance means new entries: show the newest again.
  useEffect(() => setBefore(undefined), [user.balance])
  useEffect(() => {
    act(() => api.ledger(user.user_id, before)).then(
      (view) =>
        view &&
        setPage({
          entries: [...view.ledger].reverse(),
          from: view.ledger_from,
          total: view.ledger_total,
        }),
    )
  }, [api, act, user.user_id, user.balance, before])
  if (!page) return null
  const end = page.from + page.entries.length
  return (
    <fieldset>
      <legend>Ledger</legend>
      <table data-testid="ledger">
        <thead>
          <tr>
            <th scope="col">When (UTC)</th>
            <th scope="col">Change</th>
            <th scope="col">Balance</th>
            <th scope="col">Reason</th>
          </tr>
        </thead>
        <tbody>
          {page.entries.map((entry) => (
            <tr key={entry.id}>
              <td>{entry.at.slice(0, 16).replace('T', ' ')}</td>
              <td class={entry.delta < 0 ? 'negative' : undefined}>
                {entry.delta > 0 ? `+${entry.delta}` : entry.delta}
              </td>
              <td>{entry.balance_after}</td>
              <td>{entry.reason}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <div class="row">
        <span class="muted small">
          Entries {page.from + 1}–{end} of {page.total}
        </span>
        <button
          type="button"
          disabled={end >= page.total}
          onClick={() => setBefore(Math.min(page.total, end + 20))}
        >
          Newer
        </button>
        <button type="button" disabled={page.from === 0} onClick={() => setBefore(page.from)}>
          Older
        </button>
      </div>
    </fieldset>
  )
}

/** One user: credits, access and ledger. */
export function UserPanel(props: Props) {
  const { user } = props
  return (
    <section class="card" aria-label={`User ${user.name}`} data-testid="user-panel">
      <h2>{user.name}</h2>
      <p class="muted small">
        {user.user_id} · {user.balance} credits · {user.disabled ? 'turned off' : 'on'}
      </p>
      <Credits {...props} />
      <Access {...props} />
      <Ledger {...props} />
    </section>
  )
}
