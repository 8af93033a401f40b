import { useCallback, useEffect, useMemo, useState } from 'preact/hooks'
import type { AdminUserSummary } from '../../../shared'
import { AdminFailure, adminApi } from '../admin-api'
import { CreateUser } from './create-user'
import { UsagePanel } from './usage-panel'
import { UserPanel } from './user-panel'
import { UsersTable } from './users-table'

export interface Status {
  kind: 'info' | 'error'
  text: string
}

/** Signed in: the team's users, one user's details, and the team's usage. */
export function TeamView(props: { token: string; onSignOut: (reason: string | null) => void }) {
  const api = useMemo(() => adminApi(props.token), [props.token])
  const [users, setUsers] = useState<AdminUserSummary[] | null>(null)
  const [selectedId, setSelectedId] = useState<string | null>(null)
  const [status, setStatus] = useState<Status | null>(null)
  const { onSignOut } = props

  /** Every action goes through here: a wrong token signs out, any other refusal is shown. */
  const act = useCallback(
    async <T,>(work: () => Promise<T>, done?: (result: T) => string | null) => {
      try {
        const result = await work()
        // Reads leave the status alone; an action replaces it with what it did.
        if (done) {
          const message = done(result)
          setStatus(message ? { kind: 'info', text: message } : null)
        }
        return result
      } catch (error) {
        if (error instanceof AdminFailure && error.unauthorized) onSignOut(error.message)
        else
          setStatus({ kind: 'error', text: error instanceof Error ? error.message : String(error) })
        return null
      }
    },
    [onSignOut],
  )

  const reload = useCallback(async () => {
    const listed = await act(() => api.listUsers())
    if (listed) setUsers(listed.sort((a, b) => a.name.localeCompare(b.name)))
  }, [act, api])

  useEffect(() => {
    reload()
  }, [reload])

  const selected = users?.find((user) => user.user_id === selectedId) ?? null
  return (
    <div class="team">
      <header>
        <h1>Promptframe team admin</h1>
        <button type="button" onClick={() => onSignOut(null)}>
          Sign out
        </button>
      </header>
      {status && (
        <p
          class={status.kind === 'error' ? 'problem' : 'confirmation'}
          role={status.kind === 'error' ? 'alert' : 'status'}
          data-testid="console-status"
        >
          {status.text}
        </p>
      )}
      <div class="columns">
        <section aria-label="Users" class="users">
          <UsersTable users={users} selectedId={selectedId} onSelect={setSelectedId} />
          <CreateUser
            api={api}
            act={act}
            onCreated={async (id) => {
              await reload()
              setSelectedId(id)
            }}
          />
        </section>
        {selected && (
          <UserPanel
            key={selected.user_id}
            user={selected}
            api={api}
            act={act}
            onChanged={reload}
          />
        )}
      </div>
      <UsagePanel api={api} act={act} users={users ?? []} />
    </div>
  )
}

export type Act = <T>(
  work: () => Promise<T>,
  done?: (result: T) => string | null,
) => Promise<T | null>
