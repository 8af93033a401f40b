// npm run admin -- <command>: manage users and credits on a local or deployed worker.
import { HELP, parseAdminArgs } from './admin-cli.mjs'
import { adminRequest, readDevVars } from './local-worker.mjs'

function fail(message) {
  console.error(message)
  process.exit(1)
}

const parsed = parseAdminArgs(process.argv.slice(2))
if (parsed.help) {
  console.log(HELP)
  process.exit(0)
}
if (parsed.error) fail(`${parsed.error}\n\nnpm run admin -- help lists every command.`)
const { command, userId, values } = parsed
const url = (values.url ?? process.env.PROMPTFRAME_URL ?? 'http://localhost:8787').replace(
  /\/+$/,
  '',
)
const adminToken =
  values['admin-token'] ?? process.env.PROMPTFRAME_ADMIN_TOKEN ?? readDevVars().ADMIN_TOKEN

if (!adminToken)
  fail(
    'No admin token: pass --admin-token, set PROMPTFRAME_ADMIN_TOKEN, or run npm start once to create one locally.',
  )

try {
  if (command === 'create-user') {
    const user = await adminRequest(url, adminToken, 'POST', '/admin/users', {
      name: values.name,
      credits: Number(values.credits ?? 0),
    })
    console.log(
      `Created ${user.name} (${user.user_id}) with ${user.balance} credits.\nToken (shown once): ${user.token}`,
    )
  } else if (command === 'grant') {
    const user = await adminRequest(url, adminToken, 'POST', `/admin/users/${userId}/credits`, {
      delta: Number(values.delta),
      reason: values.reason,
    })
    console.log(`${user.name} now has ${user.balance} credits.`)
  } else if (command === 'show') {
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
  }
} catch (error) {
  fail(
    error instanceof TypeError
      ? `Cannot reach the worker at ${url}. Is it running? (npm start runs one locally; --url names another.)`
      : `The worker at ${url} said: ${error.message}`,
  )
}
