export const MAX_PROMPT_LENGTH = 20_000
/**
 * Generations one user may have running at once unless the service sets another limit
 * (MAX_CONCURRENT_PER_USER): the plugin sends no more than this together.
 */
export const DEFAULT_MAX_CONCURRENT_GENERATIONS = 8
export const MAX_REFERENCES = 16
export const MAX_REFERENCE_BYTES = 10 * 1024 * 1024
/** Largest body of a JSON request without references. */
export const MAX_JSON_BODY_BYTES = 256 * 1024
/** Largest body of an edit sent as multipart files: 16 references plus the fields. */
export const MAX_EDIT_BODY_BYTES = 48 * 1024 * 1024
/**
 * Largest edit sent as JSON with data: URLs: JSON is parsed whole, in memory, so it gets a cap an
 * isolate can hold; multipart files have no such cost.
 */
export const MAX_JSON_EDIT_BODY_BYTES = 20 * 1024 * 1024
/** OpenAI takes masks under 4 MB. */
export const MAX_MASK_BYTES = 4 * 1024 * 1024
export const REFERENCE_MIME_TYPES = ['image/png', 'image/jpeg', 'image/webp'] as const
/** The longest side a reference needs: larger frames are exported scaled down to it. */
export const REFERENCE_MAX_SIDE = 1536
