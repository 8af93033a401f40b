export const SPEC_PATH: string
export const FIXTURE_PATH: string
export function extractImageSchemas(specText: string): {
  source: string
  components: { schemas: Record<string, unknown> }
}
