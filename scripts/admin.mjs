// npm run admin -- <command>: manage users and credits on a local or deployed worker.
import { parseArgs } from 'node:util'
import { adminRequest, readDevVars } from './local-worker.mjs'

const HELP = `Usage: npm run admin -- <command> [options]

Commands:
  create-user --name "Ada" [--credits 500]   create a user; prints the token once
  grant <user-id> --delta 100 --reason "…"   add credits (a negative delta removes them)
  show <user-id> [--all]                      balance and the newest 100 ledger entries (--all: every entry)

Options:
  --url <worker url>        default $PROMPTFRAME_URL or http://localhost:8787
  --admin-token <token>     default $PROMPTFRAME_ADMIN_TOKEN or ADMIN_TOKEN in proxy-worker/.dev.vars
`

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    name: { type: 'string' },
    credits: { type: 'string' },
    delta: { type: 'string' },
    reason: { type: 'string' },
    url: { type: 'string' },
    'admin-token': { type: 'string' },
    all: { type: 'boolean' },
  },
})

const [command, userId] = positionals
const url = (values.url ?? process.env.PROMPTFRAME_URL ?? 'http://localhost:8787').replace(
  /\/+$/,
  '',
)
const adminToken =
  values['admin-token'] ?? process.env.PROMPTFRAME_ADMIN_TOKEN ?? readDevVars().ADMIN_TOKEN

function fail(message) {
  console.error(message)
  process.exit(1)
}

if (!command || command === 'help') {
  console.log(HELP)
  process.exit(0)
}
if (!adminToken)
  fail(
    'No admin token: pass --admin-token, set PROMPTFRAME_ADMIN_TOKEN, or run npm start once to create one locally.',
  )

try {
  if (command === 'create-user') {
    if (!values.name) fail('create-user needs --name')
    const user = await adminRequest(url, adminToken, 'POST', '/admin/users', {
      name: values.name,
      credits: Number(values.credits ?? 0),
    })
    console.log(
      `Created ${user.name} (${user.user_id}) with ${user.balance} credits.\nToken (shown once): ${user.token}`,
    )
  } else if (command === 'grant') {
    if (!userId || !values.delta || !values.reason)
      fail('grant needs <user-id> --delta <n> --reason "…"')
    const user = await adminRequest(url, adminToken, 'POST', `/admin/users/${userId}/credits`, {
      delta: Number(values.delta),
      reason: values.reason,
    })
    console.log(`${user.name} now has ${user.balance} credits.`)
  } else if (command === 'show') {
    if (!userId) fail('show needs <user-id>')
    let page = await adminRequest(url, adminToken, 'GET', `/admin/users/${userId}`)
    const entries = [...page.ledger]
    while (values.all && page.ledger_from > 0) {
      page = await adminRequest(
        url,
        adminToken,
        'GET',
        `/admin/users/${userId}?entries=1000&before=${page.ledger_from}`,
      )
      entries.unshift(...page.ledger)
    }
    console.log(`${page.name} (${page.user_id}): ${page.balance} credits`)
    const first = page.ledger_total - entries.length
    console.log(
      `Ledger entries ${first + 1}–${page.ledger_total} of ${page.ledger_total}${first > 0 ? ' (--all shows every entry)' : ''}:`,
    )
    for (const entry of entries)
      console.log(
        `  ${entry.at}  ${String(entry.delta).padStart(6)}  ${entry.reason}${entry.request_id ? `  [${entry.request_id}]` : ''}`,
      )
  } else {
    fail(`Unknown command "${command}".\n\n${HELP}`)
  }
} catch (error) {
  fail(`The worker at ${url} said: ${error.message}`)
}
