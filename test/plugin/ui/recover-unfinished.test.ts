import { describe, expect, it, vi } from 'vitest'
import type { GenerationJob } from '../../../shared'

const emitted: unknown[][] = []
vi.mock('@create-figma-plugin/utilities', () => ({
  emit: (...args: unknown[]) => emitted.push(args),
}))

const { recoverUnfinished } = await import('../../../plugin/ui/recover-unfinished')
const { ApiFailure } = await import('../../../plugin/ui/api/api-failure')
const { TINY_PNG_BYTES } = await import('./tiny-png')

const settings = {
  workerUrl: 'https://promptframe.example',
  token: 'pf_u.secret',
  markAiGenerated: false,
}

const run = (requestId: string, received: number[] = []) => ({
  requestId,
  provenance: {
    prompt: 'a kite',
    model: 'gpt-image-2' as const,
    size: '1:1',
    quality: 'low' as const,
  },
  combined: false,
  received,
  startedAt: new Date().toISOString(),
})

function job(requestId: string, state: GenerationJob['state'], indexes: number[]): GenerationJob {
  return {
    request_id: requestId,
    state,
    created_at: new Date().toISOString(),
    updated_at: new Date().toISOString(),
    model: 'gpt-image-2',
    provider: 'preview',
    size: '1024x1024',
    quality: 'low',
    requested: indexes.length,
    images: indexes.map((index) => ({
      id: `img_${requestId}_${index}`,
      index,
      url: `https://promptframe.example/v1/images/img_${requestId}_${index}`,
      width: 1,
      height: 1,
      mime_type: 'image/png',
      bytes: TINY_PNG_BYTES.length,
      preview: true,
    })),
    credits: state === 'running' ? null : { charged: 2 * indexes.length, refunded: 0 },
    error: null,
    accepted: true,
    client_left: true,
  }
}

describe('bringing back what finished while the plugin was closed', () => {
  it('adds the images not placed, lets go of ended and unknown runs, and keeps one it cannot check', async () => {
    emitted.length = 0
    const states = new Map<string, GenerationJob['state'][]>([['slow', ['running', 'done']]])
    const recovered = await recoverUnfinished(
      settings,
      [run('done', [0]), run('slow'), run('expired'), run('offline')],
      {
        fetchJob: async (_, requestId) => {
          if (requestId === 'expired') throw new ApiFailure('not_found', 'gone')
          if (requestId === 'offline') throw new ApiFailure('network', 'offline')
          const state = states.get(requestId)?.shift() ?? 'done'
          return job(requestId, state, requestId === 'done' ? [0, 1] : [0])
        },
        download: async () => TINY_PNG_BYTES,
        wait: async () => {},
      },
    )
    expect(recovered).toBe(2)
    expect(emitted).toHaveLength(1)
    const [name, images, done] = emitted[0] as [string, { id: string; note: string }[], string[]]
    expect(name).toBe('ADD_TO_HISTORY')
    expect(images.map((image) => image.id).sort()).toEqual(['done:1', 'slow:0'])
    expect(images[0].note).toBe('Finished after Promptframe was closed')
    expect(done.sort()).toEqual(['done', 'expired', 'slow'])
  })
})
