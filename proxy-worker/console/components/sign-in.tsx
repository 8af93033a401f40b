import { useEffect, useRef, useState } from 'preact/hooks'
import { AdminFailure, adminApi } from '../admin-api'

export function SignIn(props: { notice: string | null; onSignedIn: (token: string) => void }) {
  const [token, setToken] = useState('')
  const [problem, setProblem] = useState<string | null>(props.notice)
  const [checking, setChecking] = useState(false)
  const field = useRef<HTMLInputElement>(null)
  // The page's one field: ready for the token as it opens.
  useEffect(() => field.current?.focus(), [])
  async function signIn(event: Event) {
    event.preventDefault()
    const candidate = token.trim()
    if (!candidate) return setProblem('Paste the admin token to sign in.')
    setChecking(true)
    try {
      await adminApi(candidate).listUsers()
      props.onSignedIn(candidate)
    } catch (error) {
      setProblem(error instanceof AdminFailure ? error.message : String(error))
    } finally {
      setChecking(false)
    }
  }
  return (
    <main class="sign-in">
      <h1>Promptframe team admin</h1>
      <p class="muted">Manage your team’s designers, their credits and their access.</p>
      <form onSubmit={signIn}>
        <label for="admin-token">Admin token</label>
        <input
          id="admin-token"
          type="password"
          autoComplete="off"
          ref={field}
          value={token}
          onInput={(event) => setToken(event.currentTarget.value)}
        />
        <button type="submit" class="primary" disabled={checking}>
          {checking ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
      {problem && (
        <p class="problem" role="alert">
          {problem}
        </p>
      )}
      <p class="muted small">
        The token stays in this browser tab until you sign out or close it. It is the ADMIN_TOKEN
        secret set on the service.
      </p>
    </main>
  )
}
