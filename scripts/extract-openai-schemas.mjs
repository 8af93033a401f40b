// Copies the image-related schemas out of OpenAI's published spec (../shared/contracts/openai/openapi.yaml)
// into test/fixtures/openai-images.schema.json, so tests can check outbound requests against them
// without the 3 MB spec. `npm run contracts` refreshes it; a unit test fails when it drifts.
import { readFileSync, writeFileSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parse } from 'yaml'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..')
export const SPEC_PATH = resolve(root, '../shared/contracts/openai/openapi.yaml')
export const FIXTURE_PATH = resolve(root, 'test/fixtures/openai-images.schema.json')
const ROOTS = [
  'CreateImageRequest',
  'CreateImageEditRequest',
  'EditImageBodyJsonParam',
  'ImagesResponse',
  'ImageGenStreamEvent',
  'ImageEditStreamEvent',
  'ErrorResponse',
]

function collectRefs(node, found) {
  if (Array.isArray(node)) for (const item of node) collectRefs(item, found)
  else if (node && typeof node === 'object') {
    for (const [key, value] of Object.entries(node)) {
      if (key === '$ref' && typeof value === 'string') found.add(value.split('/').pop())
      else collectRefs(value, found)
    }
  }
}

export function extractImageSchemas(specText) {
  const schemas = parse(specText).components.schemas
  const wanted = new Set(ROOTS)
  const queue = [...ROOTS]
  while (queue.length > 0) {
    const name = queue.pop()
    const refs = new Set()
    collectRefs(schemas[name], refs)
    for (const ref of refs) {
      if (!wanted.has(ref)) {
        wanted.add(ref)
        queue.push(ref)
      }
    }
  }
  const picked = Object.fromEntries([...wanted].sort().map((name) => [name, schemas[name]]))
  return {
    source: 'openai/openai-openapi f85dbe223d40e1a31cba812ab2d755c7e98a92a3',
    components: { schemas: picked },
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const extracted = extractImageSchemas(readFileSync(SPEC_PATH, 'utf8'))
  writeFileSync(FIXTURE_PATH, `${JSON.stringify(extracted, null, 1)}\n`)
  console.log(
    `wrote ${Object.keys(extracted.components.schemas).length} schemas to ${FIXTURE_PATH}`,
  )
}
