import type { CreditResult, GeneratedImage, GenerationJob, GenerationResult } from '../../../shared'

/** A generation as the account object stores it: one row of its `jobs` table. */
export type JobRow = {
  request_id: string
  state: GenerationJob['state']
  created_at: string
  updated_at: string
  model: GenerationJob['model']
  provider: GenerationJob['provider']
  size: string
  quality: GenerationJob['quality']
  requested: number
  /** The listed images, as JSON, in index order. */
  images: string
  /** Images delivered, listed or handed over in the answer alone. */
  delivered: number
  charged: number | null
  refunded: number | null
  error: string | null
  accepted: number
  client_left: number
  /** Credits held while the job runs, and then settled. */
  held: number
  /** Credits per image. */
  price: number
  /** When the hold is given back if the job has not settled. */
  until: number
}

/** A job's stored images (JSON) with those just delivered, each once, in index order; null: not stored. */
export function withImages(stored: string, delivered: (GeneratedImage | null)[]): string {
  if (!delivered.some(Boolean)) return stored
  const images = JSON.parse(stored) as GeneratedImage[]
  for (const image of delivered)
    if (image && !images.some((kept) => kept.id === image.id)) images.push(image)
  return JSON.stringify(images.sort((a, b) => a.index - b.index))
}

/**
 * Which of `arriving` a job takes: at most one image per place in it, and once it is settled no
 * more in all than it was charged for. The rest are copies, or images nobody paid for.
 */
export function imagesToRecord(
  job: JobRow,
  arriving: (GeneratedImage | null)[],
): { taken: (GeneratedImage | null)[]; refused: GeneratedImage[] } {
  const listed = new Set((JSON.parse(job.images) as GeneratedImage[]).map((image) => image.index))
  const settledFor = (job.charged ?? 0) + (job.refunded ?? 0)
  const paidFor =
    job.state === 'running' || settledFor === 0
      ? Number.POSITIVE_INFINITY
      : Math.round(((job.charged ?? 0) * job.requested) / settledFor)
  const taken: (GeneratedImage | null)[] = []
  const refused: GeneratedImage[] = []
  for (const image of arriving) {
    const room = job.delivered + taken.length < paidFor
    if (room && !(image && listed.has(image.index))) {
      taken.push(image)
      if (image) listed.add(image.index)
    } else if (image) refused.push(image)
  }
  return { taken, refused }
}

/**
 * Which of `arriving` a job lists in place of images its answer was to carry (counted as
 * delivered, not listed): one per place not listed yet, and never more listed than delivered. An
 * image already listed under its own id is no news; any other is a copy, refused.
 */
export function imagesToList(
  job: JobRow,
  arriving: GeneratedImage[],
): { taken: GeneratedImage[]; refused: GeneratedImage[] } {
  const listed = JSON.parse(job.images) as GeneratedImage[]
  const places = new Set(listed.map((image) => image.index))
  const ids = new Set(listed.map((image) => image.id))
  const taken: GeneratedImage[] = []
  const refused: GeneratedImage[] = []
  for (const image of arriving) {
    if (ids.has(image.id)) continue
    if (!places.has(image.index) && places.size < job.delivered) {
      taken.push(image)
      places.add(image.index)
    } else refused.push(image)
  }
  return { taken, refused }
}

/** What a job is, and its images: shared by its view and by the result its key replays. */
const jobBasics = (row: JobRow) => ({
  request_id: row.request_id,
  model: row.model,
  provider: row.provider,
  size: row.size,
  quality: row.quality,
  requested: row.requested,
  images: JSON.parse(row.images) as GeneratedImage[],
})

/** A generation of the user's, as its owner sees it. */
export function jobView(row: JobRow): GenerationJob {
  return {
    ...jobBasics(row),
    state: row.state,
    created_at: row.created_at,
    updated_at: row.updated_at,
    credits: row.charged === null ? null : { charged: row.charged, refunded: row.refunded ?? 0 },
    error: row.error,
    accepted: row.accepted === 1,
    client_left: row.client_left === 1,
  }
}

/** What a request would have answered for a job settled without it: what its key replays. */
export function jobResult(
  row: JobRow,
  credits: CreditResult,
  imagesExpireAt: number,
): GenerationResult {
  return {
    ...jobBasics(row),
    credits,
    expires_at: new Date(imagesExpireAt).toISOString(),
  }
}
