import { type GeneratedImage, type GenerationResult, imageInfo } from '../../../shared'
import { accountOf } from '../accounts/account-store'
import type { Env } from '../env'
import { putImage } from '../images/image-store'
import { storedImageEntry } from '../images/image-upload'
import { type DeliveredFile, imageTtlSeconds } from './run-generation'

/**
 * The client left before the answer that carried these images had reached it. They are charged,
 * so each is kept for the designer: stored, when the answer held it in memory alone, and listed
 * with its job, where GET /v1/generations/:request_id finds it.
 */
export async function keepUnanswered(
  env: Env,
  userId: string,
  imageBaseUrl: string,
  result: GenerationResult,
  files: Map<number, DeliveredFile>,
): Promise<void> {
  // Those stored as they arrived (large ones) are in storage already, and not listed.
  const images: GeneratedImage[] = result.images.filter((image) => !files.has(image.index))
  for (const [index, file] of files) {
    const info = imageInfo(file.bytes)
    if (!info) continue
    const id = await putImage(env.IMAGES, file.bytes, info, imageTtlSeconds(env))
    images.push(
      storedImageEntry(imageBaseUrl, result.provider, index, {
        id,
        meta: info,
        bytes: file.bytes.length,
      }),
    )
  }
  await accountOf(env, userId).listAnswered(userId, result.request_id, images)
}
