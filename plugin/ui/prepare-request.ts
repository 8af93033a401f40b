import { type CatalogModel, formatPixelSize, type GenerateRequestInput } from '../../shared'
import type { PlannedRequest } from '../actions/action-plan'
import type { ExportPixelsHandler, PixelsExportedHandler } from '../events'
import type { ReferenceImageBytes } from '../types'
import { expandedCanvas } from '../utilities/expand-canvas'
import { ApiFailure } from './api/api-failure'
import { callMain } from './call-main'
import { compositeAreaEdit, prepareAreaEdit } from './pixels/area-edit'
import { compositeExpansion, prepareExpansion } from './pixels/expansion'
import { prepareForFigma } from './prepare-for-figma'
import { PREVIEW_MAX_SIDE, shrinkPreview } from './preview-bytes'
import { requestReferences } from './request-references'

/** A request ready to send, and how its images become what goes on the canvas. */
export interface PreparedRequest {
  body: GenerateRequestInput
  references: ReferenceImageBytes[]
  mask: Uint8Array | null
  /** A finished image, as the bytes to place (composited over the original for edits). */
  finish(bytes: Uint8Array, mimeType: string, width: number, height: number): Promise<Uint8Array>
  /** A partial preview, small, as the bytes to show meanwhile. */
  preview(bytes: Uint8Array): Promise<Uint8Array>
}

async function requestPixels(nodeId: string, shapeIds: string[]) {
  const [pixels, problem] = await callMain<ExportPixelsHandler, PixelsExportedHandler>(
    'EXPORT_PIXELS',
    'PIXELS_EXPORTED',
    nodeId,
    shapeIds,
  )
  if (!pixels) throw new ApiFailure('invalid_reference', problem ?? 'The image could not be read.')
  return pixels
}

const asReference = (
  bytes: Uint8Array,
  mimeType: 'image/png' | 'image/jpeg',
  size: { width: number; height: number },
): ReferenceImageBytes => ({ nodeId: 'prepared', name: 'reference', bytes, mimeType, ...size })

/** Scale that makes a preview of the whole original at most PREVIEW_MAX_SIDE on its longest side. */
const previewScaleOf = (size: { width: number; height: number }) =>
  Math.min(1, PREVIEW_MAX_SIDE / Math.max(size.width, size.height))

/**
 * Turns a planned request into one ready to send: exports its references, or, for an area edit or
 * an expansion, reads the layer's pixels and builds the region and mask the model gets.
 */
export async function prepareRequest(
  request: PlannedRequest,
  model: CatalogModel,
): Promise<PreparedRequest> {
  const { input } = request
  const plain = {
    finish: prepareForFigma,
    preview: shrinkPreview,
  }
  if (input.kind === 'none') return { body: request.body, references: [], mask: null, ...plain }
  if (input.kind === 'references') {
    const references = await requestReferences(input.nodeIds)
    return { body: request.body, references, mask: null, ...plain }
  }
  if (input.kind === 'edit-area') {
    const { original, mask } = await requestPixels(input.imageNodeId, input.shapeNodeIds)
    if (!mask) throw new ApiFailure('invalid_reference', 'Draw a shape over the part to change.')
    const edit = await prepareAreaEdit(original, mask, model)
    return {
      body: { ...request.body, size: formatPixelSize(edit.size) },
      references: [asReference(edit.reference, 'image/jpeg', edit.size)],
      mask: edit.mask,
      finish: (bytes) => compositeAreaEdit(original, mask, edit.region, bytes),
      preview: (bytes) =>
        compositeAreaEdit(original, mask, edit.region, bytes, previewScaleOf(original)),
    }
  }
  const { original } = await requestPixels(input.nodeId, [])
  const canvas = expandedCanvas(original, input.target, input.anchor)
  if (!canvas) throw new ApiFailure('invalid_reference', 'The image already has that shape.')
  const expansion = await prepareExpansion(original, canvas, model)
  return {
    body: { ...request.body, size: formatPixelSize(expansion.size) },
    references: [asReference(expansion.reference, 'image/png', expansion.size)],
    mask: expansion.mask,
    finish: (bytes) => compositeExpansion(original, canvas, bytes),
    preview: (bytes) => compositeExpansion(original, canvas, bytes, previewScaleOf(canvas)),
  }
}
