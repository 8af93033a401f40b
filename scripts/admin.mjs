// npm run admin -- <command>: manage users and credits on a local or deployed worker.
import { HELP, parseAdminArgs } from './admin-cli.mjs'
import { adminRequest, readDevVars } from './local-worker.mjs'

const pad = (value, width) => String(value).padEnd(width)

function printUsers(users) {
  console.log(
    `${pad('user id', 24)}${pad('name', 22)}${pad('balance', 9)}${pad('month', 8)}${pad('allowance', 11)}${pad('status', 8)}last active`,
  )
  for (const user of users)
    console.log(
      `${pad(user.user_id, 24)}${pad(user.name.slice(0, 20), 22)}${pad(user.balance, 9)}${pad(user.spent_this_month, 8)}${pad(user.monthly_allowance ?? '-', 11)}${pad(user.disabled ? 'off' : 'on', 8)}${user.last_active ?? 'never'}`,
    )
}

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
  } else if (command === 'list') {
    const users = []
    let cursor = null
    do {
      const query = `?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`
      const page = await adminRequest(url, adminToken, 'GET', `/admin/users${query}`)
      users.push(...page.users)
      cursor = page.cursor
    } while (cursor)
    printUsers(users.sort((a, b) => a.name.localeCompare(b.name)))
  } else if (command === 'disable' || command === 'enable') {
    const user = await adminRequest(url, adminToken, 'PATCH', `/admin/users/${userId}`, {
      disabled: command === 'disable',
    })
    console.log(
      `${user.name} is ${user.disabled ? 'turned off: their token answers 403' : 'turned on'}.`,
    )
  } else if (command === 'rotate') {
    const user = await adminRequest(url, adminToken, 'POST', `/admin/users/${userId}/token`, {})
    console.log(
      `${user.name} has a new token; the old one no longer works.\nToken (shown once): ${user.token}`,
    )
  } else if (command === 'allowance') {
    const monthly = values.monthly === 'none' ? null : Number(values.monthly)
    const user = await adminRequest(url, adminToken, 'PATCH', `/admin/users/${userId}`, {
      monthly_allowance: monthly,
    })
    console.log(
      monthly === null
        ? `${user.name} has no monthly allowance.`
        : `${user.name}'s balance is topped up to ${monthly} credits on the first use of each month, from next month.`,
    )
  } else if (command === 'usage') {
    const query = new URLSearchParams()
    for (const key of ['from', 'to', 'user']) if (values[key]) query.set(key, values[key])
    if (values.csv) {
      query.set('format', 'csv')
      const response = await fetch(`${url}/admin/usage?${query}`, {
        headers: { Authorization: `Bearer ${adminToken}` },
      })
      const text = await response.text()
      if (!response.ok) throw new Error(JSON.parse(text).message)
      process.stdout.write(text)
    } else {
      const report = await adminRequest(url, adminToken, 'GET', `/admin/usage?${query}`)
      console.log(`Usage ${report.from} to ${report.to}:`)
      for (const row of report.rows)
        console.log(
          `  ${row.day}  ${pad(row.name.slice(0, 24), 26)}${pad(row.credits, 8)}credits  ${row.images} images`,
        )
      console.log(`Total: ${report.totals.credits} credits, ${report.totals.images} images.`)
    }
  }
} catch (error) {
  fail(
    error instanceof TypeError
      ? `Cannot reach the worker at ${url}. Is it running? (npm start runs one locally; --url names another.)`
      : `The worker at ${url} said: ${error.message}`,
  )
}
