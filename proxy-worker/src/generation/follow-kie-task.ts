import type { GeneratedImage } from '../../../shared'
import { ApiError } from '../http/api-error'
import { ImageUpload, storedImageEntry } from '../images/image-upload'
import { type KieSettings, kieTaskClient, worthAnotherLook } from '../providers/kie-provider'

/** How long one check of a followed task, with its download, may take before it counts as failed. */
const STEP_TIMEOUT_MS = 20_000

/**
 * What the account object keeps to follow a KIE task whose client has gone: where KIE is, where
 * images are served from and for how long. The API key is not kept: the object has the worker's.
 */
export interface FollowSettings {
  kie: Omit<KieSettings, 'apiKey'>
  imageBaseUrl: string
  imageTtlSeconds: number
}

const TOO_LONG =
  'The image model took too long to make this image, so its credits were refunded. Try again, perhaps at a lower quality.'

export type TaskStep =
  | { kind: 'running' }
  | { kind: 'stored'; image: GeneratedImage }
  | { kind: 'failed'; error: string }

/**
 * One look at a followed task: still running; finished, with its result copied into storage; or
 * failed. A look that went wrong (KIE busy, the network, a download cut short) counts as still
 * running, until the task's time is up. Never throws.
 */
export async function stepKieTask(
  task: { index: number; taskId: string; giveUpAt: number },
  settings: FollowSettings,
  apiKey: string,
  bucket: R2Bucket,
): Promise<TaskStep> {
  const client = kieTaskClient({ ...settings.kie, apiKey })
  const signal = AbortSignal.timeout(STEP_TIMEOUT_MS)
  const upload = new ImageUpload(bucket, settings.imageTtlSeconds)
  try {
    const url = await client.check(task.taskId, signal)
    if (url === null && Date.now() >= task.giveUpAt) return { kind: 'failed', error: TOO_LONG }
    if (url === null) return { kind: 'running' }
    await client.copyResult(
      url,
      { write: (bytes) => upload.write(bytes), close: () => {}, abort: () => upload.abort() },
      signal,
    )
    const stored = await upload.finish()
    return {
      kind: 'stored',
      image: storedImageEntry(settings.imageBaseUrl, 'kie', task.index, stored),
    }
  } catch (error) {
    await upload.abort()
    // Storage failing (not an ApiError) is worth another look too.
    if (!(error instanceof ApiError) || worthAnotherLook(error)) {
      console.error('followed KIE task: will look again', task.taskId, error)
      if (Date.now() < task.giveUpAt) return { kind: 'running' }
    }
    return {
      kind: 'failed',
      error:
        error instanceof ApiError
          ? error.message
          : 'The finished image could not be saved. Its credits were refunded.',
    }
  }
}
