import { useState } from 'preact/hooks'
import type { AdminUserSummary } from '../../../shared'

const count = (value: number, noun: string) => `${value} ${noun}${value === 1 ? '' : 's'}`

function when(iso: string | null): string {
  if (!iso) return 'never'
  return new Date(iso).toISOString().slice(0, 16).replace('T', ' ')
}

/** The team, searchable by name or user id; choosing a row opens that user. */
export function UsersTable(props: {
  users: AdminUserSummary[] | null
  selectedId: string | null
  onSelect: (id: string) => void
}) {
  const [search, setSearch] = useState('')
  if (!props.users) return <p class="muted">Loading users…</p>
  const wanted = search.trim().toLowerCase()
  const shown = props.users.filter(
    (user) => !wanted || user.name.toLowerCase().includes(wanted) || user.user_id.includes(wanted),
  )
  return (
    <div>
      <label for="search">Search users</label>
      <input
        id="search"
        type="search"
        placeholder="Name or user id"
        value={search}
        onInput={(event) => setSearch(event.currentTarget.value)}
      />
      <table>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Balance</th>
            <th scope="col">This month</th>
            <th scope="col">Allowance</th>
            <th scope="col">Status</th>
            <th scope="col">Last active (UTC)</th>
          </tr>
        </thead>
        <tbody>
          {shown.map((user) => (
            <tr
              key={user.user_id}
              data-user={user.user_id}
              aria-selected={user.user_id === props.selectedId}
              class={user.user_id === props.selectedId ? 'selected' : undefined}
            >
              <td>
                <button type="button" class="link" onClick={() => props.onSelect(user.user_id)}>
                  {user.name}
                </button>
                <div class="muted small">{user.user_id}</div>
              </td>
              <td>{user.balance}</td>
              <td>
                {count(user.spent_this_month, 'credit')} · {count(user.images_this_month, 'image')}
              </td>
              <td>{user.monthly_allowance ?? '—'}</td>
              <td>{user.disabled ? 'Off' : 'On'}</td>
              <td>{when(user.last_active)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {shown.length === 0 && (
        <p class="muted">
          {props.users.length === 0 ? 'No users yet: create the first below.' : 'No user matches.'}
        </p>
      )}
    </div>
  )
}
