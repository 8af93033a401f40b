import { BRIEF_FIELDS, type Brief, BriefSchema, quotedText } from '../../../shared'
import { type Env, openAiBaseUrl } from '../env'

const INSTRUCTIONS =
  'You turn a designer\'s rough image idea into a structured brief for an image model. Fill every field with a short, concrete phrase. Keep what the idea states; choose tasteful defaults for what it leaves open. Never invent on-image text; "text" lists only text the idea puts in quotes, verbatim.'

/** Room for a brief, and for a reasoning model's thinking before it. */
const MAX_BRIEF_TOKENS = 2000

const BRIEF_JSON_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: [...BRIEF_FIELDS, 'text'],
  properties: {
    ...Object.fromEntries(BRIEF_FIELDS.map((field) => [field, { type: 'string' }])),
    text: { type: 'array', items: { type: 'string' } },
  },
}

/** Asks the upstream's text model for a brief; null when it is not configured or its answer is unusable. */
export async function modelBrief(
  env: Env,
  prompt: string,
  signal: AbortSignal,
): Promise<Brief | null> {
  if (!env.OPENAI_API_KEY) return null
  const baseUrl = openAiBaseUrl(env)
  try {
    const response = await fetch(`${baseUrl}/chat/completions`, {
      method: 'POST',
      signal,
      headers: {
        Authorization: `Bearer ${env.OPENAI_API_KEY}`,
        'Content-Type': 'application/json',
      },
      body: JSON.stringify({
        model: env.ENHANCE_MODEL || 'gpt-5-mini',
        // A brief is a few short phrases; the cap keeps a prompt from buying a long answer.
        max_completion_tokens: MAX_BRIEF_TOKENS,
        messages: [
          { role: 'system', content: INSTRUCTIONS },
          { role: 'user', content: prompt },
        ],
        response_format: {
          type: 'json_schema',
          json_schema: { name: 'image_brief', strict: true, schema: BRIEF_JSON_SCHEMA },
        },
      }),
    })
    if (!response.ok) return null
    const body = (await response.json()) as { choices?: { message?: { content?: string } }[] }
    const parsed = BriefSchema.safeParse(JSON.parse(body.choices?.[0]?.message?.content ?? ''))
    // Quoted text is the designer's, not the model's: it always comes from the prompt itself.
    return parsed.success ? { ...parsed.data, text: quotedText(prompt) } : null
  } catch {
    return null
  }
}
