import { h } from 'preact'
import { App } from './app'
import { useMainThread } from './use-main-thread'

export function PluginRoot() {
  const { startup, selection, history } = useMainThread()
  if (!startup) return null
  return <App startup={startup} selection={selection} history={history} />
}
