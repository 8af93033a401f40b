import type { GeneratedImage } from '../../../shared'
import { ApiError } from '../http/api-error'
import { ImageUpload } from '../images/image-upload'
import { type KieSettings, kieTaskClient } from '../providers/kie-provider'

/** How long one check of a followed task, with its download, may take before it counts as failed. */
const STEP_TIMEOUT_MS = 60_000

/**
 * What the account object keeps to follow a KIE task whose client has gone: where KIE is, where
 * images are served from and for how long. The API key is not kept: the object has the worker's.
 */
export interface FollowSettings {
  kie: Omit<KieSettings, 'apiKey'>
  imageBaseUrl: string
  imageTtlSeconds: number
}

export type TaskStep =
  | { kind: 'running' }
  | { kind: 'stored'; image: GeneratedImage }
  | { kind: 'failed'; error: string }

/**
 * One look at a followed task: still running; finished, with its result copied into storage; or
 * failed. Never throws: whatever went wrong is the task's failure, and its credits come back.
 */
export async function stepKieTask(
  task: { index: number; taskId: string },
  settings: FollowSettings,
  apiKey: string,
  bucket: R2Bucket,
): Promise<TaskStep> {
  const client = kieTaskClient({ ...settings.kie, apiKey })
  const signal = AbortSignal.timeout(STEP_TIMEOUT_MS)
  const upload = new ImageUpload(bucket, settings.imageTtlSeconds)
  try {
    const url = await client.check(task.taskId, signal)
    if (url === null) return { kind: 'running' }
    await client.copyResult(
      url,
      { write: (bytes) => upload.write(bytes), close: () => {}, abort: () => upload.abort() },
      signal,
    )
    const stored = await upload.finish()
    return {
      kind: 'stored',
      image: {
        id: stored.id,
        index: task.index,
        url: `${settings.imageBaseUrl}/${stored.id}`,
        width: stored.meta.width,
        height: stored.meta.height,
        mime_type: stored.meta.mimeType,
        bytes: stored.bytes,
        preview: false,
      },
    }
  } catch (error) {
    await upload.abort()
    if (!(error instanceof ApiError)) console.error('followed KIE task failed', task.taskId, error)
    return {
      kind: 'failed',
      error:
        error instanceof ApiError
          ? error.message
          : 'The finished image could not be saved. Its credits were refunded.',
    }
  }
}
