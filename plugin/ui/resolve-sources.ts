import type { ResolveSourcesHandler, SourcesResolvedHandler } from '../events'
import type { SelectionItem } from '../types'
import { ApiFailure } from './api/api-failure'
import { callMain } from './call-main'

/** The layers to work on, read again from the canvas at Generate rather than from the UI's list. */
export async function resolveSources(
  nodeIds: string[] | null,
  excluded: string[],
): Promise<SelectionItem[]> {
  const [sources] = await callMain<ResolveSourcesHandler, SourcesResolvedHandler>(
    'RESOLVE_SOURCES',
    'SOURCES_RESOLVED',
    nodeIds,
    excluded,
  )
  if (!sources)
    throw new ApiFailure(
      'invalid_reference',
      'A selected layer was deleted. Select the layers again.',
    )
  return sources
}
