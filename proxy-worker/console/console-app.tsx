import { useState } from 'preact/hooks'
import { SignIn } from './components/sign-in'
import { TeamView } from './components/team-view'

/** Kept for this browser tab only: never in a URL, a cookie or a log. */
const TOKEN_KEY = 'promptframe.admin-token'

export function ConsoleApp() {
  const [token, setToken] = useState(() => sessionStorage.getItem(TOKEN_KEY))
  const [signedOutBecause, setSignedOutBecause] = useState<string | null>(null)
  if (!token)
    return (
      <SignIn
        notice={signedOutBecause}
        onSignedIn={(accepted) => {
          sessionStorage.setItem(TOKEN_KEY, accepted)
          setSignedOutBecause(null)
          setToken(accepted)
        }}
      />
    )
  return (
    <TeamView
      token={token}
      onSignOut={(reason) => {
        sessionStorage.removeItem(TOKEN_KEY)
        setSignedOutBecause(reason)
        setToken(null)
      }}
    />
  )
}
