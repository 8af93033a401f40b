import { renderPreviewPng } from '../../../proxy-worker/src/providers/preview/render-preview'

export type KieOutcome = 'success' | 'fail' | 'policy' | 'no-credits'

interface Task {
  body: {
    model: string
    input: { prompt: string; aspect_ratio: string; resolution: string; input_urls?: string[] }
  }
  polls: number
  ends: number
  outcome: KieOutcome
}

/**
 * A stand-in for KIE's gpt-image-2 task API: createTask answers `{ code, msg, data: { taskId } }`,
 * recordInfo moves a task through waiting → generating → success|fail with `resultJson` as a JSON
 * string, and result URLs serve the bytes. Errors come as `code` in the body with HTTP 200.
 */
export function fakeKie(
  /** How every task ends, or how each ends by its number from 1. */
  outcome: KieOutcome | ((task: number) => KieOutcome) = 'success',
  base = 'https://kie.fake',
  /** What a result URL serves instead of the rendered PNG: a large image, say. */
  resultBody?: () => BodyInit,
  /** How many polls a task takes to end, by its number from 1 (2 unless said). */
  pollsToEnd: (task: number) => number = () => 2,
) {
  const tasks = new Map<string, Task>()
  let created = 0
  const outcomeOf = typeof outcome === 'function' ? outcome : () => outcome
  const resultBytes = new Map<string, Uint8Array>()
  const handler = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const request = new Request(input, init)
    const url = new URL(request.url)
    if (request.method === 'POST' && url.pathname === '/api/v1/jobs/createTask') {
      // Numbered as they arrive, refused ones included: the second of two at once is number 2.
      const number = ++created
      const outcome = outcomeOf(number)
      if (outcome === 'no-credits')
        return Response.json({ code: 402, msg: 'Credits insufficient', data: null })
      const body = (await request.json()) as Task['body']
      const taskId = `task_${number}`
      tasks.set(taskId, { body, polls: 0, ends: pollsToEnd(number), outcome })
      return Response.json({ code: 200, msg: 'success', data: { taskId } })
    }
    if (url.pathname === '/api/v1/jobs/recordInfo') {
      const taskId = url.searchParams.get('taskId') ?? ''
      const task = tasks.get(taskId)
      if (!task) return Response.json({ code: 404, msg: 'task not found', data: null })
      task.polls++
      if (task.polls < task.ends)
        return Response.json({ code: 200, msg: 'success', data: { taskId, state: 'generating' } })
      if (task.outcome === 'fail' || task.outcome === 'policy') {
        const failMsg =
          task.outcome === 'policy'
            ? 'Content flagged as sensitive by the safety system'
            : 'Internal generation error'
        return Response.json({
          code: 200,
          msg: 'success',
          data: { taskId, state: 'fail', failCode: '500', failMsg },
        })
      }
      const [w, h] = task.body.input.aspect_ratio.split(':').map(Number)
      const png = await renderPreviewPng({
        prompt: task.body.input.prompt,
        width: w * 64,
        height: h * 64,
        seed: 1,
        index: 0,
        transparent: false,
        withText: false,
      })
      resultBytes.set(taskId, png)
      return Response.json({
        code: 200,
        msg: 'success',
        data: {
          taskId,
          state: 'success',
          resultJson: JSON.stringify({ resultUrls: [`${base}/results/${taskId}.png`] }),
        },
      })
    }
    if (url.pathname.startsWith('/results/')) {
      if (resultBody)
        return new Response(resultBody(), { headers: { 'Content-Type': 'image/png' } })
      const bytes = resultBytes.get(url.pathname.slice('/results/'.length, -'.png'.length))
      return bytes
        ? new Response(bytes, { headers: { 'Content-Type': 'image/png' } })
        : new Response('gone', { status: 404 })
    }
    return new Response('not found', { status: 404 })
  }
  return { handler, tasks }
}
