import { useState } from 'preact/hooks'
import type { AdminApi } from '../admin-api'
import type { Act } from './team-view'
import { TokenReveal } from './token-reveal'

export function CreateUser(props: { api: AdminApi; act: Act; onCreated: (id: string) => void }) {
  const [name, setName] = useState('')
  const [credits, setCredits] = useState('100')
  const [created, setCreated] = useState<{ name: string; token: string } | null>(null)
  async function create(event: Event) {
    event.preventDefault()
    const user = await props.act(
      () => props.api.createUser(name.trim(), Number(credits)),
      (made) => `Created ${made.name} with ${made.balance} credits.`,
    )
    if (!user) return
    setCreated({ name: user.name, token: user.token })
    setName('')
    props.onCreated(user.user_id)
  }
  return (
    <section aria-labelledby="create-heading" class="card">
      <h2 id="create-heading">Create a user</h2>
      {created ? (
        <TokenReveal name={created.name} token={created.token} onDone={() => setCreated(null)} />
      ) : (
        <form onSubmit={create} class="row">
          <div>
            <label for="new-name">Name</label>
            <input
              id="new-name"
              value={name}
              onInput={(event) => setName(event.currentTarget.value)}
            />
          </div>
          <div>
            <label for="new-credits">Starting credits</label>
            <input
              id="new-credits"
              type="number"
              min="0"
              step="1"
              value={credits}
              onInput={(event) => setCredits(event.currentTarget.value)}
            />
          </div>
          <button type="submit" class="primary">
            Create user
          </button>
        </form>
      )}
    </section>
  )
}
