import { Validator } from '@cfworker/json-schema'
import spec from '../../fixtures/openai-images.schema.json'

type SchemaName = keyof typeof spec.components.schemas

/** Checks a value against one schema of OpenAI's published spec; returns the errors, empty when it conforms. */
export function contractErrors(name: SchemaName, value: unknown): string[] {
  const validator = new Validator(
    { $ref: `#/components/schemas/${name}`, components: spec.components } as never,
    '2020-12',
    false,
  )
  const result = validator.validate(value)
  return result.valid
    ? []
    : result.errors.map((error) => `${error.instanceLocation}: ${error.error}`)
}

const NUMERIC_FIELDS = new Set(['n', 'partial_images', 'output_compression'])
/** File fields the spec declares as one binary, not a list. */
const SINGLE_FILE_FIELDS = new Set(['mask'])

/** Multipart fields are text on the wire; read them as the types the spec declares. */
export async function multipartAsObject(form: FormData): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {}
  for (const [rawName, value] of form.entries()) {
    const name = rawName.replace(/\[\]$/, '')
    if (typeof value !== 'string' && SINGLE_FILE_FIELDS.has(name)) {
      out[name] = `<binary ${value.size} bytes ${value.type}>`
    } else if (typeof value !== 'string') {
      const list = (out[name] as string[] | undefined) ?? []
      list.push(`<binary ${value.size} bytes ${value.type}>`)
      out[name] = list
    } else if (NUMERIC_FIELDS.has(name)) {
      out[name] = Number(value)
    } else if (name === 'stream') {
      out[name] = value === 'true'
    } else {
      out[name] = value
    }
  }
  return out
}
