/**
 * The account object's tables. A running job holds its credits itself (`held`, `price`, `until`:
 * the hold's deadline); the account row says whether KV's copy is behind it.
 */
const TABLES_SQL = `
  CREATE TABLE IF NOT EXISTS account (id TEXT PRIMARY KEY, name TEXT NOT NULL, created_at TEXT NOT NULL, token_hash TEXT NOT NULL, balance INTEGER NOT NULL, disabled INTEGER NOT NULL DEFAULT 0, monthly_allowance INTEGER, allowance_month TEXT, last_active TEXT, kv_dirty INTEGER NOT NULL DEFAULT 0, kv_written_at INTEGER NOT NULL DEFAULT 0, kv_chunks INTEGER NOT NULL DEFAULT 0);
  CREATE TABLE IF NOT EXISTS usage_days (day TEXT PRIMARY KEY, credits INTEGER NOT NULL DEFAULT 0, images INTEGER NOT NULL DEFAULT 0);
  CREATE TABLE IF NOT EXISTS ledger (position INTEGER PRIMARY KEY, id TEXT NOT NULL, at TEXT NOT NULL, delta INTEGER NOT NULL, reason TEXT NOT NULL, request_id TEXT, balance_after INTEGER NOT NULL);
  CREATE TABLE IF NOT EXISTS jobs (request_id TEXT PRIMARY KEY, state TEXT NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL, model TEXT NOT NULL, provider TEXT NOT NULL, size TEXT NOT NULL, quality TEXT NOT NULL, requested INTEGER NOT NULL, images TEXT NOT NULL, delivered INTEGER NOT NULL DEFAULT 0, charged INTEGER, refunded INTEGER, error TEXT, accepted INTEGER NOT NULL DEFAULT 0, client_left INTEGER NOT NULL DEFAULT 0, expires INTEGER NOT NULL, held INTEGER NOT NULL DEFAULT 0, price INTEGER NOT NULL DEFAULT 0, until INTEGER NOT NULL DEFAULT 0);
  CREATE TABLE IF NOT EXISTS idempotency (key_hash TEXT PRIMARY KEY, fingerprint TEXT NOT NULL, state TEXT NOT NULL, until INTEGER, result TEXT, expires INTEGER NOT NULL);
  CREATE TABLE IF NOT EXISTS rate_hits (bucket TEXT NOT NULL, at INTEGER NOT NULL);
  CREATE TABLE IF NOT EXISTS followed (request_id TEXT NOT NULL, idx INTEGER NOT NULL, task_id TEXT NOT NULL, settings TEXT NOT NULL, poll_at INTEGER NOT NULL, give_up_at INTEGER NOT NULL, key_hash TEXT, PRIMARY KEY (request_id, idx));
`
/** Running jobs by deadline: how many are running, and which hold is due first. */
const INDEX_SQL = "CREATE INDEX IF NOT EXISTS running_jobs ON jobs (until) WHERE state = 'running'"
const TABLES = [...TABLES_SQL.matchAll(/CREATE TABLE IF NOT EXISTS (\w+)/g)].map(
  (match) => match[1],
)

/** Credits held for a request with no job to hold them: nothing will ever settle them. */
export interface StaleHold {
  request_id: string
  credits: number
}

/** Each table's name and the statement that makes it as it is now. */
export function listTables(sql: SqlStorage): Map<string, string> {
  const rows = sql
    .exec<{ name: string; sql: string }>("SELECT name, sql FROM sqlite_master WHERE type = 'table'")
    .toArray()
  return new Map(rows.map((row) => [row.name, row.sql]))
}

const hasColumn = (statement: string | undefined, column: string) =>
  new RegExp(`\\b${column}\\b`).test(statement ?? '')

/** Whether the tables are those of the current schema: then construction reads nothing more. */
export function isCurrent(tables: Map<string, string>): boolean {
  return (
    TABLES.every((name) => tables.has(name)) &&
    !tables.has('holds') &&
    !tables.has('kv_sync') &&
    hasColumn(tables.get('account'), 'disabled') &&
    hasColumn(tables.get('account'), 'kv_dirty') &&
    hasColumn(tables.get('jobs'), 'held')
  )
}

/**
 * Makes the tables of a new object, or brings those of one made by an earlier version to the
 * current schema; the caller runs it in a transaction. Returns the holds that had no job, which
 * the caller refunds.
 */
export function upgradeSchema(sql: SqlStorage, tables: Map<string, string>): StaleHold[] {
  sql.exec(TABLES_SQL)
  const account = tables.get('account')
  if (account && !hasColumn(account, 'disabled')) {
    // Before admins could disable users and set allowances, and before usage by day.
    sql.exec(`
      ALTER TABLE account ADD COLUMN disabled INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE account ADD COLUMN monthly_allowance INTEGER;
      ALTER TABLE account ADD COLUMN allowance_month TEXT;
      ALTER TABLE account ADD COLUMN last_active TEXT;
    `)
    backfillUsage(sql)
  }
  if (account && !hasColumn(account, 'kv_dirty')) {
    // When the state of the KV copy had a table of its own.
    addCounts(sql, 'account', ['kv_dirty', 'kv_written_at', 'kv_chunks'])
    if (tables.has('kv_sync'))
      sql.exec(`
        UPDATE account SET (kv_dirty, kv_written_at, kv_chunks) = (SELECT dirty, written_at, chunks FROM kv_sync)
          WHERE EXISTS (SELECT 1 FROM kv_sync)
      `)
  }
  if (tables.has('kv_sync')) sql.exec('DROP TABLE kv_sync')
  const jobs = tables.get('jobs')
  if (jobs && !hasColumn(jobs, 'held')) {
    // When holds had a table of their own.
    addCounts(sql, 'jobs', ['held', 'price', 'until'])
    if (tables.has('holds'))
      sql.exec(`
        UPDATE jobs SET (held, price, until) = (SELECT credits, price, until FROM holds WHERE holds.request_id = jobs.request_id)
          WHERE request_id IN (SELECT request_id FROM holds)
      `)
  }
  let stale: StaleHold[] = []
  if (tables.has('holds')) {
    stale = sql
      .exec<{ request_id: string; credits: number }>(
        'SELECT request_id, credits FROM holds WHERE request_id NOT IN (SELECT request_id FROM jobs)',
      )
      .toArray()
    sql.exec('DROP TABLE holds')
  }
  sql.exec(INDEX_SQL)
  return stale
}

/** Adds integer columns, 0 where a row has none yet. */
function addCounts(sql: SqlStorage, table: string, columns: string[]) {
  sql.exec(
    columns
      .map((column) => `ALTER TABLE ${table} ADD COLUMN ${column} INTEGER NOT NULL DEFAULT 0;`)
      .join('\n'),
  )
}

/** Usage by day from the ledger, for accounts whose ledger predates the usage table. */
export function backfillUsage(sql: SqlStorage) {
  sql.exec(`
    INSERT OR REPLACE INTO usage_days (day, credits, images)
    SELECT substr(at, 1, 10), -SUM(delta), 0 FROM ledger WHERE request_id IS NOT NULL GROUP BY substr(at, 1, 10)
  `)
}
