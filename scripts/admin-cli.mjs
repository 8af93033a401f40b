// What `npm run admin` accepts: its commands, their options, and how a mistake is explained.
import { parseArgs } from 'node:util'

export const COMMANDS = {
  'create-user': {
    usage: 'create-user --name "Ada" [--credits 500]',
    about: 'create a user; prints the token once',
    needsUser: false,
    required: ['name'],
  },
  grant: {
    usage: 'grant <user-id> --delta 100 --reason "…"',
    about: 'add credits (a negative delta, such as --delta -5, removes them)',
    needsUser: true,
    required: ['delta', 'reason'],
  },
  show: {
    usage: 'show <user-id> [--all]',
    about: 'balance and the newest 100 ledger entries (--all: every entry)',
    needsUser: true,
    required: [],
  },
  list: {
    usage: 'list',
    about: 'every user: balance, this month, allowance, status, last active',
    needsUser: false,
    required: [],
  },
  disable: {
    usage: 'disable <user-id>',
    about: 'turn a user off: their token answers 403 until enabled',
    needsUser: true,
    required: [],
  },
  enable: {
    usage: 'enable <user-id>',
    about: 'turn a user back on',
    needsUser: true,
    required: [],
  },
  rotate: {
    usage: 'rotate <user-id>',
    about: 'a new token, printed once; the old one stops working at once',
    needsUser: true,
    required: [],
  },
  allowance: {
    usage: 'allowance <user-id> --monthly 300',
    about: 'top the balance up to 300 each month (--monthly none: no allowance)',
    needsUser: true,
    required: ['monthly'],
  },
  usage: {
    usage: 'usage [--from 2026-11-01] [--to 2026-11-30] [--user <id>] [--csv]',
    about: 'credits and images per user per day (default: the last 30 days)',
    needsUser: false,
    required: [],
  },
}

const OPTIONS = {
  name: { type: 'string' },
  credits: { type: 'string' },
  delta: { type: 'string' },
  reason: { type: 'string' },
  url: { type: 'string' },
  'admin-token': { type: 'string' },
  all: { type: 'boolean' },
  monthly: { type: 'string' },
  from: { type: 'string' },
  to: { type: 'string' },
  user: { type: 'string' },
  csv: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
}
const WHOLE_NUMBERS = ['credits', 'delta']

export const HELP = `Usage: npm run admin -- <command> [options]

Commands:
${Object.values(COMMANDS)
  .map((command) => `  ${command.usage}\n      ${command.about}`)
  .join('\n')}

Options:
  --url <worker url>        default $PROMPTFRAME_URL or http://localhost:8787
  --admin-token <token>     default $PROMPTFRAME_ADMIN_TOKEN or ADMIN_TOKEN in proxy-worker/.dev.vars
`

/** "--delta -5" reads as an option named -5 to parseArgs; "--delta=-5" does not. */
function joinNegativeNumbers(args) {
  const joined = []
  for (let index = 0; index < args.length; index++) {
    const option = args[index].replace(/^--/, '')
    if (WHOLE_NUMBERS.includes(option) && /^-\d/.test(args[index + 1] ?? '')) {
      joined.push(`${args[index]}=${args[index + 1]}`)
      index++
    } else joined.push(args[index])
  }
  return joined
}

/**
 * The command line as { command, userId, values }, or { error } saying what is wrong in words an
 * admin can act on; { help: true } when help was asked for.
 */
export function parseAdminArgs(args) {
  let parsed
  try {
    parsed = parseArgs({
      args: joinNegativeNumbers(args),
      allowPositionals: true,
      options: OPTIONS,
    })
  } catch (error) {
    return { error: error.message.replace(/\. To specify .*$/s, '.') }
  }
  const { values, positionals } = parsed
  const [command, userId, ...extra] = positionals
  if (!command || command === 'help' || values.help) return { help: true }
  const definition = COMMANDS[command]
  if (!definition) return { error: `There is no command "${command}".` }
  const usage = `Usage: npm run admin -- ${definition.usage}`
  if (definition.needsUser && !userId) return { error: `${command} needs a user id.\n${usage}` }
  if (extra.length > 0 || (!definition.needsUser && userId))
    return { error: `Unexpected "${definition.needsUser ? extra[0] : userId}".\n${usage}` }
  const missing = definition.required.filter((option) => values[option] === undefined)
  if (missing.length > 0)
    return {
      error: `${command} needs ${missing.map((option) => `--${option}`).join(' and ')}.\n${usage}`,
    }
  for (const option of WHOLE_NUMBERS)
    if (values[option] !== undefined && !/^-?\d+$/.test(values[option]))
      return {
        error: `--${option} takes a whole number, such as 100 or -5, not "${values[option]}".`,
      }
  if (values.monthly !== undefined && !/^(\d+|none)$/.test(values.monthly))
    return {
      error: `--monthly takes a number of credits, such as 300, or none, not "${values.monthly}".`,
    }
  return { command, userId, values }
}
