import { DurableObject } from 'cloudflare:workers'

/**
 * The floor for `npm run bench -- floor`: only the work no metered generation can avoid, with the
 * worker's own bindings. One KV read for the token, one call to a per-user object that takes the
 * credits, the upstream call, one R2 put, a JSON answer. No validation, ledger, holds or errors
 * worth the name: what Promptframe adds on top of this is what the bench weighs.
 *
 * At /with-settlement it also does the two writes the credits design asks for beyond that floor:
 * a second call to the object after the upstream (the settlement) and a KV put of the user's
 * record (the write-through), so the bench can tell the design's I/O from the code's own cost.
 */
interface FloorEnv {
  STORE: KVNamespace
  IMAGES: R2Bucket
  FLOOR_COUNTERS: DurableObjectNamespace<FloorCounter>
  OPENAI_BASE_URL: string
  OPENAI_API_KEY: string
}

export class FloorCounter extends DurableObject {
  settle(refund: number): number {
    return this.ctx.storage.sql
      .exec<{ credits: number }>(
        'UPDATE counter SET credits = credits + ? RETURNING credits',
        refund,
      )
      .one().credits
  }

  take(credits: number): number {
    const sql = this.ctx.storage.sql
    sql.exec('CREATE TABLE IF NOT EXISTS counter (credits INTEGER NOT NULL)')
    sql.exec('INSERT INTO counter SELECT 1000000 WHERE NOT EXISTS (SELECT 1 FROM counter)')
    return sql
      .exec<{ credits: number }>(
        'UPDATE counter SET credits = credits - ? RETURNING credits',
        credits,
      )
      .one().credits
  }
}

function decodeBase64(text: string): Uint8Array {
  const binary = atob(text)
  const bytes = new Uint8Array(binary.length)
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i)
  return bytes
}

export default {
  async fetch(request: Request, env: FloorEnv): Promise<Response> {
    const token = request.headers.get('Authorization')?.slice('Bearer '.length) ?? ''
    const userId = await env.STORE.get(`floor-token:${token}`)
    if (!userId) return Response.json({ error: 'unknown token' }, { status: 401 })
    const counter = env.FLOOR_COUNTERS.get(env.FLOOR_COUNTERS.idFromName(userId))
    let left = await counter.take(2)
    const upstream = await fetch(`${env.OPENAI_BASE_URL}/images/generations`, {
      method: 'POST',
      headers: {
        Authorization: `Bearer ${env.OPENAI_API_KEY}`,
        'Content-Type': 'application/json',
      },
      body: await request.text(),
    })
    const answer = (await upstream.json()) as { data: { b64_json: string }[] }
    const id = crypto.randomUUID()
    await env.IMAGES.put(id, decodeBase64(answer.data[0].b64_json))
    if (new URL(request.url).pathname === '/with-settlement') {
      left = await counter.settle(0)
      await env.STORE.put(`floor-record:${userId}`, JSON.stringify({ credits: left }))
    }
    return Response.json({ url: `/v1/images/${id}`, credits_left: left })
  },
}
