import { useCallback, useEffect, useRef, useState } from 'preact/hooks'
import type { CatalogModel } from '../../shared'
import type { Settings } from '../types'
import { fetchAccount, fetchCatalog } from './api/worker-api'
import { describeFailure } from './describe-failure'

/** Where the plugin stands with the service at the current address and token. */
export type Connection =
  | { state: 'checking' }
  | { state: 'ready'; name: string }
  | { state: 'failed'; message: string }

/**
 * The models the service offers and the designer's account, read again whenever the settings
 * change. Until the new address and token have answered, no balance is shown: an old account's
 * balance beside a new token would be a claim nobody checked.
 */
export function useConnection(settings: Settings) {
  const [catalog, setCatalog] = useState<CatalogModel[]>([])
  const [balance, setBalance] = useState<number | null>(null)
  const [connection, setConnection] = useState<Connection>({ state: 'checking' })
  const current = useRef(settings)
  current.current = settings

  const refresh = useCallback(async () => {
    const asked = current.current
    const stillCurrent = () => current.current === asked
    try {
      const models = await fetchCatalog(asked)
      const account = asked.token ? await fetchAccount(asked) : null
      if (!stillCurrent()) return
      setCatalog(models)
      setBalance(account?.balance ?? null)
      setConnection({ state: 'ready', name: account?.name ?? '' })
    } catch (error) {
      if (!stillCurrent()) return
      setBalance(null)
      setConnection({ state: 'failed', message: describeFailure(error) })
    }
  }, [])

  useEffect(() => {
    setBalance(null)
    setConnection({ state: 'checking' })
    refresh()
  }, [settings, refresh])

  return { catalog, balance, setBalance, connection, refresh }
}
