import type { ExportReferencesHandler, ReferencesExportedHandler } from '../events'
import type { ReferenceImageBytes } from '../types'
import { ApiFailure } from './api/api-failure'
import { callMain } from './call-main'

/** Asks the main thread to export layers as references. */
export async function requestReferences(nodeIds: string[]): Promise<ReferenceImageBytes[]> {
  const [references, problem] = await callMain<ExportReferencesHandler, ReferencesExportedHandler>(
    'EXPORT_REFERENCES',
    'REFERENCES_EXPORTED',
    nodeIds,
  )
  if (problem) throw new ApiFailure('invalid_reference', problem)
  return references
}
