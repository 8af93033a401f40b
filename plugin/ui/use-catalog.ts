import { useCallback, useEffect, useState } from 'preact/hooks'
import type { CatalogModel } from '../../shared'
import type { Settings } from '../types'
import { ApiFailure } from './api/api-failure'
import { fetchAccount, fetchCatalog } from './api/worker-api'

/** The models the service offers and the designer's balance, read again when the settings change. */
export function useCatalog(settings: Settings, onFailure: (error: unknown) => void) {
  const [catalog, setCatalog] = useState<CatalogModel[]>([])
  const [catalogFailed, setCatalogFailed] = useState(false)
  const [balance, setBalance] = useState<number | null>(null)
  const refresh = useCallback(
    async (current: Settings) => {
      try {
        setCatalog(await fetchCatalog(current))
        setCatalogFailed(false)
        if (current.token) setBalance((await fetchAccount(current)).balance)
      } catch (error) {
        setCatalogFailed(
          (failed) => failed || !(error instanceof ApiFailure && error.type === 'unauthorized'),
        )
        onFailure(error)
      }
    },
    [onFailure],
  )
  useEffect(() => {
    refresh(settings)
  }, [settings, refresh])
  return { catalog, catalogFailed, balance, setBalance, refresh }
}
