import { Hono } from 'hono'
import { cors } from 'hono/cors'
import type { AppEnv } from './env'
import { ApiError } from './http/api-error'
import { errorResponse } from './http/error-response'
import { account } from './routes/account'
import { admin } from './routes/admin'
import { adminConsole } from './routes/admin-console'
import { generations } from './routes/generations'
import { images } from './routes/images'
import { models } from './routes/models'
import { openAiImages } from './routes/openai-images'
import { prompts } from './routes/prompts'

const app = new Hono<AppEnv>()

// The plugin iframe's Origin is "null", so any origin may call the plugin's API; tokens travel in
// headers, never cookies. The admin routes get no CORS: the team console is served from here.
app.use(
  '/v1/*',
  cors({
    origin: '*',
    allowMethods: ['GET', 'POST', 'OPTIONS'],
    allowHeaders: ['Authorization', 'Content-Type', 'Idempotency-Key', 'Accept'],
    exposeHeaders: ['X-Request-Id', 'X-Image-Width', 'X-Image-Height'],
    maxAge: 86400,
    credentials: false,
  }),
)

app.use('*', async (c, next) => {
  const requestId = crypto.randomUUID()
  c.set('requestId', requestId)
  c.header('X-Request-Id', requestId)
  await next()
})

app.get('/', (c) => c.json({ code: 0, message: 'ok', data: { service: 'promptframe-proxy' } }))
app.route('/v1/images', openAiImages)
app.route('/v1/images', images)
app.route('/v1/account', account)
app.route('/v1/generations', generations)
app.route('/v1/models', models)
app.route('/v1/prompts', prompts)
// The console's page and files first: they need no token; everything else under /admin does.
app.route('/admin', adminConsole)
app.route('/admin', admin)

app.notFound((c) =>
  errorResponse(c, new ApiError('not_found', `There is nothing at ${c.req.method} ${c.req.path}.`)),
)
app.onError((error, c) => errorResponse(c, error))

export default app
export { UserAccount } from './accounts/user-account'
