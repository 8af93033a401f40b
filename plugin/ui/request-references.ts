import { emit, on } from '@create-figma-plugin/utilities'
import type { ExportReferencesHandler, ReferencesExportedHandler } from '../events'
import type { ReferenceImageBytes } from '../types'
import { ApiFailure } from './api/api-failure'

let exportCounter = 0

/** Asks the main thread to export layers as references and waits for the answer to this request. */
export function requestReferences(nodeIds: string[]): Promise<ReferenceImageBytes[]> {
  const exportId = `export-${++exportCounter}`
  return new Promise((resolve, reject) => {
    const stop = on<ReferencesExportedHandler>('REFERENCES_EXPORTED', (id, references, problem) => {
      if (id !== exportId) return
      stop()
      if (problem) reject(new ApiFailure('invalid_reference', problem))
      else resolve(references)
    })
    emit<ExportReferencesHandler>('EXPORT_REFERENCES', exportId, nodeIds)
  })
}
