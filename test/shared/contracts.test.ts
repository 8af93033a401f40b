import { existsSync, readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import {
  extractImageSchemas,
  FIXTURE_PATH,
  SPEC_PATH,
} from '../../scripts/extract-openai-schemas.mjs'
import { EditFormFieldsSchema, GenerateRequestSchema, StreamEventSchema } from '../../shared'

describe('the OpenAI schema fixture', () => {
  it.runIf(existsSync(SPEC_PATH))('matches the published spec beside the repository', () => {
    const fresh = extractImageSchemas(readFileSync(SPEC_PATH, 'utf8'))
    expect(JSON.parse(readFileSync(FIXTURE_PATH, 'utf8'))).toEqual(fresh)
  })

  it('holds every schema the worker is checked against', () => {
    const schemas = JSON.parse(readFileSync(FIXTURE_PATH, 'utf8')).components.schemas
    for (const name of [
      'CreateImageRequest',
      'CreateImageEditRequest',
      'ImagesResponse',
      'ImageGenStreamEvent',
      'ErrorResponse',
    ]) {
      expect(schemas).toHaveProperty(name)
    }
  })
})

describe('shared request schemas', () => {
  it('fills in the documented defaults', () => {
    expect(GenerateRequestSchema.parse({ prompt: '  a fox  ' })).toEqual({
      prompt: 'a fox',
      model: 'gpt-image-2',
      size: '1:1',
      quality: 'medium',
      n: 1,
      background: 'auto',
      output_format: 'png',
    })
  })

  it('reads multipart text fields as numbers and booleans', () => {
    expect(
      EditFormFieldsSchema.parse({ prompt: 'x', n: '3', stream: 'true', seed: '42' }),
    ).toMatchObject({ n: 3, stream: true, seed: 42 })
    expect(EditFormFieldsSchema.safeParse({ prompt: 'x', n: 'three' }).success).toBe(false)
  })

  it('rejects stream events of unknown types', () => {
    expect(StreamEventSchema.safeParse({ type: 'mystery' }).success).toBe(false)
  })
})
