import { DurableObject } from 'cloudflare:workers'
import type {
  Account,
  AdminUserSummary,
  GeneratedImage,
  GenerationJob,
  GenerationResult,
  LedgerEntry,
  UsageRow,
  UserPatch,
} from '../../../shared'
import type { Env } from '../env'
import { type FollowSettings, stepKieTask, type TaskStep } from '../generation/follow-kie-task'
import type { UpstreamTask } from '../providers/image-provider'
import { type AccountRecord, ledgerChunkKey, readAccountRecord, userKey } from './account-record'
import {
  backfillUsage,
  isCurrent,
  listTables,
  type StaleHold,
  upgradeSchema,
} from './account-schema'
import { dayOf, monthOf } from './calendar'
import {
  imagesToList,
  imagesToRecord,
  type JobRow,
  jobResult,
  jobView,
  withImages,
} from './job-record'
import { digestsMatch } from './token-hash'

/**
 * A request ends only its own claim of a key, known by its deadline: not one another request took
 * over once this one's deadline had passed. A key whose job the object follows (its deadline moved
 * on) is still the request's to finish with its result.
 */
const STILL_CLAIMED = "key_hash = ? AND (state = 'followed' OR (state = 'running' AND until = ?))"

/** KV takes one write per key per second: the object never writes the user's record more often. */
const KV_WRITE_GAP_MS = 1000
/**
 * The record is written at once after a quiet spell, then at most once in this long, with every
 * change made meanwhile: a busy designer costs one KV write per 10 s, not two per generation.
 * Nothing a designer or admin sees reads credits from KV, and KV itself takes up to a minute to
 * show a write everywhere.
 */
const KV_BATCH_MS = 10 * 1000
const LAST_ACTIVE_RESOLUTION_MS = 60 * 1000
/** A failed write to KV is tried again this much later, with every change made meanwhile. */
const KV_RETRY_MS = 2000
/** Every archived chunk of the KV ledger holds exactly this many entries. */
export const LEDGER_CHUNK_SIZE = 25
/** The KV record keeps at most this many entries; older ones go to chunks. */
export const LEDGER_TAIL_LIMIT = 50
const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000
const JOB_TTL_MS = 24 * 60 * 60 * 1000
/** A followed job's hold lasts this long past the time its tasks are given up. */
const FOLLOW_GRACE_MS = 2 * 60 * 1000

export type JobState = GenerationJob['state']
export type JobView = GenerationJob

/** Why the account refuses a designer's request before looking at it. */
export type Refusal = 'unknown_user' | 'disabled' | 'revoked'

/** Who is asking, and when: every call made for a designer's request carries it. */
export interface Access {
  /** SHA-256 of the token the request came with: a rotated token is refused here at once. */
  tokenHash: string
  /** The worker's clock (tests move it to a month boundary). */
  now: number
}

export type Reservation =
  | { ok: true; balance: number }
  | { ok: false; reason: 'insufficient'; balance: number }
  | { ok: false; reason: 'busy'; running: number; limit: number }
  | { ok: false; reason: Refusal }

export interface SettleOutcome {
  state: Exclude<JobState, 'running'>
  error?: string
  refundReason: string
  /** Whether the upstream had accepted the job, when the request had not said so yet. */
  accepted?: boolean
  /** Images the request delivered and had not recorded yet (null: handed over in the answer). */
  delivered?: (GeneratedImage | null)[]
  /**
   * How many images the request delivered in all: a call that recorded some may have reached the
   * object although the request saw it fail, and sent them again.
   */
  deliveredCount?: number
  /**
   * The request stopped without settling: if the upstream had accepted the job, it bills for every
   * image asked for, so all are charged (the images stored by then stay the designer's).
   */
  billedIfAccepted?: boolean
}

/** Why a request's hold was given back without its settlement: the ledger's words. */
const STOPPED_REASON = 'the request stopped before it finished'

const STOPPED_AFTER_ACCEPTANCE =
  "The request stopped after the image model had started. The model's provider bills for those images, so they were charged; only the ones saved before it stopped can be shown."

export interface Settlement {
  charged: number
  refunded: number
  balance: number
  /** False when the hold was already settled (by this request earlier, or by the alarm). */
  settledNow: boolean
}

export type KeyClaim =
  | { kind: 'new' }
  | { kind: 'replay'; result: GenerationResult }
  | { kind: 'running' }
  | { kind: 'mismatch' }
  | { kind: 'refused'; reason: Refusal }

export interface AccountView {
  user_id: string
  name: string
  balance: number
  disabled: boolean
  monthly_allowance: number | null
  created_at: string
  ledger: LedgerEntry[]
  ledger_from: number
  ledger_total: number
}

type AccountRow = {
  id: string
  name: string
  created_at: string
  token_hash: string
  balance: number
  disabled: number
  monthly_allowance: number | null
  allowance_month: string | null
  last_active: string | null
  /** Whether the KV copy is behind this row and the ledger. */
  kv_dirty: number
  /** When the last write of the KV copy began. */
  kv_written_at: number
  /** How many ledger chunks KV holds. */
  kv_chunks: number
}

type FollowedRow = {
  request_id: string
  idx: number
  task_id: string
  settings: string
  poll_at: number
  give_up_at: number
  key_hash: string | null
}

type LedgerRow = {
  position: number
  id: string
  at: string
  delta: number
  reason: string
  request_id: string | null
  balance_after: number
}

const toEntry = (row: LedgerRow): LedgerEntry => ({
  id: row.id,
  at: row.at,
  delta: row.delta,
  reason: row.reason,
  ...(row.request_id ? { request_id: row.request_id } : {}),
  balance_after: row.balance_after,
})

/** How many entries the KV record keeps as archived chunks, so its tail holds 26 to 50. */
export function archivedChunks(total: number): number {
  return total > LEDGER_TAIL_LIMIT ? Math.floor((total - 26) / LEDGER_CHUNK_SIZE) : 0
}

/**
 * One per user, and Cloudflare runs one instance of it worldwide: the only code that changes the
 * user's credits. Every charge, refund, grant, hold and ledger entry goes through it one at a time,
 * in its own transactional storage, so check-and-reserve is exact across isolates and locations
 * and no change can overwrite another. It writes its changes through to the user's record in KV,
 * gathered over up to 10 s, which is what authentication and exports read.
 */
export class UserAccount extends DurableObject<Env> {
  private readonly sql: SqlStorage

  /**
   * When the alarm is set for, or null when none is. Every alarm set is no later than the work
   * it is for, and the alarm works out its next time from storage, so the one stored is a bound.
   */
  private alarmAt: number | null = null
  // Copies of what every request reads, kept while nothing changes them; a transaction that rolls
  // back forgets them all.
  private row: AccountRow | undefined
  private entries: number | undefined
  /** The write to KV in flight: one at a time. */
  private writing: Promise<void> | null = null
  private changedSinceWriteBegan = false
  /**
   * When the write in flight began (0 when none is): stored with its outcome, and counted from
   * meanwhile, so a change made during the write waits the gap KV needs.
   */
  private writeBeganAt = 0
  /**
   * When the last write to KV began, whatever came of it. A failed write counts as older than
   * this for the batch, so it is tried again soon, but KV still needs its gap from the attempt.
   */
  private lastAttemptAt = 0
  /**
   * The KIE key each followed job's request used, in memory only: a key is never stored. After a
   * restart the object uses the worker's own, which is the same one outside tests.
   */
  private readonly followKeys = new Map<string, string>()

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env)
    this.sql = ctx.storage.sql
    const refunded = this.prepareSchema()
    if (refunded > 0) void ctx.storage.setAlarm(Date.now())
    void ctx.blockConcurrencyWhile(async () => {
      this.alarmAt = await ctx.storage.getAlarm()
    })
  }

  /**
   * Makes the tables of a new object, or brings those of one made by an earlier version up to
   * date: an object already current reads only the list of its tables. Returns how many holds
   * it refunded.
   */
  private prepareSchema(): number {
    const tables = listTables(this.sql)
    if (isCurrent(tables)) return 0
    return this.transact(() => this.refundStale(upgradeSchema(this.sql, tables), Date.now()))
  }

  // —— loading ——

  /**
   * The account row, read once and kept while nothing changes it: every request reads it several
   * times. Any write to it, and every transaction (which may roll back), forgets the copy.
   */
  private account(): AccountRow | undefined {
    if (this.row) return this.row
    // The ledger's length comes with it: a fresh instance needs both for its first change.
    const row = this.sql
      .exec<AccountRow & { ledger_length: number }>(
        'SELECT *, (SELECT COALESCE(MAX(position) + 1, 0) FROM ledger) AS ledger_length FROM account',
      )
      .toArray()[0]
    if (!row) return undefined
    const { ledger_length, ...account } = row
    this.entries = ledger_length
    this.row = account
    return this.row
  }

  private insertAccount(query: string, ...bindings: SqlStorageValue[]) {
    this.row = undefined
    this.sql.exec(query, ...bindings)
  }

  /** Changes columns of the account row, in storage and in the copy alike. */
  private patchAccount(patch: Partial<AccountRow>) {
    const columns = Object.keys(patch) as (keyof AccountRow)[]
    this.sql.exec(
      `UPDATE account SET ${columns.map((column) => `${column} = ?`).join(', ')}`,
      ...columns.map((column) => patch[column] as SqlStorageValue),
    )
    if (this.row) Object.assign(this.row, patch)
  }

  /** A transaction that rolls back leaves the copies behind it: forget them. */
  private transact<T>(work: () => T): T {
    try {
      return this.ctx.storage.transactionSync(work)
    } catch (error) {
      this.row = undefined
      this.entries = undefined
      throw error
    }
  }

  /**
   * The account, loaded from the user's KV record on first use: a user from before the object
   * existed keeps their balance, ledger and holds.
   */
  private async load(userId: string) {
    const existing = this.account()
    if (existing) return existing
    const record = await readAccountRecord(this.env.STORE, userId, true)
    if (!record || this.account()) return this.account()
    this.transact(() => {
      this.insertAccount(
        'INSERT INTO account (id, name, created_at, token_hash, balance, disabled, monthly_allowance, kv_chunks) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
        record.id,
        record.name,
        record.created_at,
        record.token_hash,
        record.balance,
        record.disabled ? 1 : 0,
        record.monthly_allowance ?? null,
        record.archived_chunks ?? 0,
      )
      for (const [position, entry] of record.fullLedger.entries()) this.insertEntry(position, entry)
      backfillUsage(this.sql)
      const holds = Object.entries(record.holds ?? {})
      this.refundStale(
        holds.map(([requestId, hold]) => ({ request_id: requestId, credits: hold.credits })),
        Date.now(),
      )
    })
    this.schedule()
    return this.account()
  }

  /**
   * Credits held for requests from before a job held its own (the record's, or a table's of
   * their own) with no job to settle them: given back at once, as the alarm did at their deadline.
   */
  private refundStale(holds: StaleHold[], now: number): number {
    this.entries = undefined
    if (holds.length === 0 || !this.account()) return 0
    for (const hold of holds)
      this.change(hold.credits, `refund: ${STOPPED_REASON}`, now, hold.request_id)
    return holds.length
  }

  private insertEntry(position: number, entry: LedgerEntry) {
    this.sql.exec(
      'INSERT INTO ledger VALUES (?, ?, ?, ?, ?, ?, ?)',
      position,
      entry.id,
      entry.at,
      entry.delta,
      entry.reason,
      entry.request_id ?? null,
      entry.balance_after,
    )
  }

  /** How many entries the ledger has: read with the account row, or on its own after a reset. */
  private ledgerTotal(): number {
    // Positions run from 0 without gaps, so the highest is found by the key, without a count.
    this.entries ??= this.sql
      .exec<{ n: number }>('SELECT COALESCE(MAX(position) + 1, 0) AS n FROM ledger')
      .one().n
    return this.entries
  }

  /**
   * Applies one credit change and its ledger entry; callers check the balance first. A change made
   * for a request counts as that day's usage, so usage always adds up to the ledger.
   */
  private change(delta: number, reason: string, at: number, requestId?: string): number {
    const balance = this.account()!.balance + delta
    this.changeAccount({ balance })
    const position = this.ledgerTotal()
    this.insertEntry(position, {
      id: crypto.randomUUID(),
      at: new Date(at).toISOString(),
      delta,
      reason,
      ...(requestId ? { request_id: requestId } : {}),
      balance_after: balance,
    })
    this.entries = position + 1
    if (requestId) this.addUsage(dayOf(at), -delta, 0)
    return balance
  }

  /**
   * Changes columns of the account row that the KV copy holds, and marks that copy as behind: the
   * next settlement, or the alarm, is to write it.
   */
  private changeAccount(patch: Partial<AccountRow>) {
    this.changedSinceWriteBegan = true
    this.patchAccount({ ...patch, kv_dirty: 1 })
  }

  private addUsage(day: string, credits: number, images: number) {
    this.sql.exec(
      'INSERT INTO usage_days VALUES (?, ?, ?) ON CONFLICT(day) DO UPDATE SET credits = credits + excluded.credits, images = images + excluded.images',
      day,
      credits,
      images,
    )
  }

  /**
   * Whether this request may go on: its token is the account's current one and the account is
   * turned on. Then the month's allowance, once, and the time of this use.
   */
  private admit(access: Access): Refusal | null {
    const account = this.account()
    if (!account) return 'unknown_user'
    if (!digestsMatch(access.tokenHash, account.token_hash)) return 'revoked'
    if (account.disabled) return 'disabled'
    this.topUp(access.now)
    // To the minute is enough for "last active", and saves a write on most requests.
    const last = account.last_active ? Date.parse(account.last_active) : Number.NEGATIVE_INFINITY
    if (Math.abs(access.now - last) >= LAST_ACTIVE_RESOLUTION_MS)
      this.patchAccount({ last_active: new Date(access.now).toISOString() })
    return null
  }

  /**
   * On the first use or balance read of a calendar month (UTC), the balance is brought up to the
   * monthly allowance, never down, with one ledger entry. The object runs one call at a time and
   * this does no I/O, so it happens exactly once however many requests arrive together; a request
   * timed in an earlier month than one already handled changes nothing.
   */
  private topUp(now: number) {
    const account = this.account()!
    if (account.monthly_allowance === null) return
    const month = monthOf(now)
    if (account.allowance_month !== null && account.allowance_month >= month) return
    this.transact(() => {
      this.patchAccount({ allowance_month: month })
      const missing = account.monthly_allowance! - account.balance
      if (missing > 0) this.change(missing, `monthly allowance ${month}`, now)
    })
    this.schedule()
  }

  // —— the interface the worker uses ——

  /**
   * Creates the user. Their KV record is written before this returns, so the token works at once;
   * if KV refuses, the alarm writes it seconds later.
   */
  async create(input: {
    id: string
    name: string
    tokenHash: string
    credits: number
  }): Promise<AccountView> {
    const now = Date.now()
    this.transact(() => {
      this.insertAccount(
        'INSERT INTO account (id, name, created_at, token_hash, balance, kv_dirty) VALUES (?, ?, ?, ?, 0, 1)',
        input.id,
        input.name,
        new Date(now).toISOString(),
        input.tokenHash,
      )
      if (input.credits > 0) this.change(input.credits, 'opening grant', now)
    })
    await this.writeNow()
    return this.view(100)
  }

  /**
   * Takes the whole cost of a request up front and holds it until the request settles or its
   * deadline passes; refuses, changing nothing, when the balance is short or the user already has
   * as many generations running as allowed.
   */
  async reserve(
    userId: string,
    access: Access,
    request: {
      requestId: string
      credits: number
      price: number
      until: number
      reason: string
      model: GenerationJob['model']
      provider: GenerationJob['provider']
      size: string
      quality: GenerationJob['quality']
      requested: number
      /** How many generations this user may have running at once. */
      limit: number
    },
  ): Promise<Reservation> {
    if (!(await this.load(userId))) return { ok: false, reason: 'unknown_user' }
    const refusal = this.admit(access)
    if (refusal) return { ok: false, reason: refusal }
    const account = this.account()!
    const now = access.now
    const running = this.sql
      .exec<{ n: number }>(
        "SELECT COUNT(*) AS n FROM jobs WHERE state = 'running' AND until > ?",
        now,
      )
      .one().n
    const { limit } = request
    if (running >= limit) return { ok: false, reason: 'busy', running, limit }
    if (account.balance < request.credits)
      return { ok: false, reason: 'insufficient', balance: account.balance }
    const iso = new Date(now).toISOString()
    const balance = this.transact(() => {
      this.sql.exec(
        "INSERT INTO jobs VALUES (?, 'running', ?, ?, ?, ?, ?, ?, ?, '[]', 0, NULL, NULL, NULL, 0, 0, ?, ?, ?, ?)",
        request.requestId,
        iso,
        iso,
        request.model,
        request.provider,
        request.size,
        request.quality,
        request.requested,
        now + JOB_TTL_MS,
        request.credits,
        request.price,
        request.until,
      )
      return this.change(-request.credits, request.reason, now, request.requestId)
    })
    // The hold's change is written with the settlement that usually follows within seconds.
    const wall = Date.now()
    this.alarmBy(Math.min(request.until, Math.max(this.kvDue(wall)!, wall + KV_BATCH_MS)))
    return { ok: true, balance }
  }

  /** Whether a request's job is running: it holds its credits until it settles. */
  private isRunning(requestId: string): boolean {
    return (
      this.sql
        .exec("SELECT 1 FROM jobs WHERE request_id = ? AND state = 'running'", requestId)
        .toArray().length > 0
    )
  }

  /**
   * Records an image as delivered: stored (and then listed with the job), or handed over in the
   * answer itself (null). It is the designer's, and paid for, from now on.
   */
  async addImage(userId: string, requestId: string, image: GeneratedImage | null): Promise<void> {
    await this.load(userId)
    this.recordImages(requestId, [image])
  }

  /**
   * Lists and counts images delivered for a job, at most one per place in it: an image for a place
   * already filled (a followed task the request also finished) is a copy. Once the job is settled,
   * no more than it was charged for: the images listed never outnumber those paid for. An image
   * not listed is let go from storage.
   */
  private recordImages(requestId: string, images: (GeneratedImage | null)[]) {
    const job = this.sql
      .exec<JobRow>('SELECT * FROM jobs WHERE request_id = ?', requestId)
      .toArray()[0]
    if (!job) return
    const { taken: delivered, refused } = imagesToRecord(job, images)
    if (refused.length > 0)
      void this.env.IMAGES.delete(refused.map((image) => image.id)).catch(() => {})
    if (delivered.length === 0) return
    this.sql.exec(
      'UPDATE jobs SET images = ?, delivered = ?, updated_at = ? WHERE request_id = ?',
      withImages(job.images, delivered),
      job.delivered + delivered.length,
      new Date().toISOString(),
      requestId,
    )
  }

  /**
   * Lists images its answer was to carry, stored because the client left before the answer had
   * reached it: they were charged as delivered, and can now be had from the job. Copies, and images
   * beyond those delivered, are let go from storage.
   */
  async listAnswered(userId: string, requestId: string, images: GeneratedImage[]): Promise<void> {
    await this.load(userId)
    this.transact(() => {
      const job = this.sql
        .exec<JobRow>('SELECT * FROM jobs WHERE request_id = ?', requestId)
        .toArray()[0]
      const { taken, refused } = job ? imagesToList(job, images) : { taken: [], refused: images }
      if (refused.length > 0)
        void this.env.IMAGES.delete(refused.map((image) => image.id)).catch(() => {})
      if (taken.length > 0)
        this.sql.exec(
          'UPDATE jobs SET images = ?, updated_at = ? WHERE request_id = ?',
          withImages(job!.images, taken),
          new Date().toISOString(),
          requestId,
        )
    })
  }

  /**
   * The upstream has the job: it runs to its end, whoever is still listening. `delivered` are
   * images the request had kept to record with its settlement.
   */
  async accepted(
    userId: string,
    requestId: string,
    delivered: (GeneratedImage | null)[] = [],
  ): Promise<void> {
    await this.load(userId)
    this.transact(() => {
      this.sql.exec('UPDATE jobs SET accepted = 1 WHERE request_id = ?', requestId)
      this.recordImages(requestId, delivered)
    })
  }

  /**
   * The client went away after the upstream accepted the job; it goes on, and its images will be
   * in History. `delivered` are images the request had not recorded yet.
   */
  async clientLeft(
    userId: string,
    requestId: string,
    delivered: (GeneratedImage | null)[] = [],
  ): Promise<void> {
    await this.load(userId)
    this.transact(() => {
      this.sql.exec('UPDATE jobs SET accepted = 1, client_left = 1 WHERE request_id = ?', requestId)
      this.recordImages(requestId, delivered)
    })
  }

  /**
   * The client has left, and the request hands over its KIE tasks, each already accepted, whose
   * images are not stored yet: the alarm checks each until it ends, stores its image and then
   * settles the job. False, changing nothing, when the job is settled already.
   */
  async follow(
    userId: string,
    requestId: string,
    tasks: UpstreamTask[],
    settings: FollowSettings,
    apiKey: string,
    /** When a task still running counts as failed (the upstream timeout), and the job's key. */
    options: { giveUpAt: number; keyHash?: string },
    /** Images the request had kept to record with its settlement. */
    delivered: (GeneratedImage | null)[] = [],
  ): Promise<boolean> {
    await this.load(userId)
    if (!this.isRunning(requestId)) return false
    const pollAt = Date.now() + settings.kie.pollIntervalMs
    this.transact(() => {
      // The hold and the key are the object's own now: they last until the tasks are given up,
      // and a while more.
      const until = options.giveUpAt + FOLLOW_GRACE_MS
      this.sql.exec(
        'UPDATE jobs SET accepted = 1, client_left = 1, until = MAX(until, ?) WHERE request_id = ?',
        until,
        requestId,
      )
      this.recordImages(requestId, delivered)
      if (options.keyHash)
        this.sql.exec(
          "UPDATE idempotency SET state = 'followed', until = MAX(until, ?) WHERE key_hash = ? AND state = 'running'",
          until,
          options.keyHash,
        )
      for (const task of tasks)
        this.sql.exec(
          'INSERT OR REPLACE INTO followed VALUES (?, ?, ?, ?, ?, ?, ?)',
          requestId,
          task.index,
          task.taskId,
          JSON.stringify(settings),
          pollAt,
          options.giveUpAt,
          options.keyHash ?? null,
        )
    })
    this.followKeys.set(requestId, apiKey)
    this.alarmBy(pollAt)
    return true
  }

  /** Checks each followed task that is due, all at once. */
  private async stepFollowed(now: number) {
    // A job settled meanwhile (by its request, or at its deadline) is not followed further.
    this.sql.exec(
      "DELETE FROM followed WHERE request_id NOT IN (SELECT request_id FROM jobs WHERE state = 'running')",
    )
    const due = this.sql
      .exec<FollowedRow>('SELECT * FROM followed WHERE poll_at <= ?', now)
      .toArray()
    const steps = await Promise.allSettled(
      due.map(async (row) => {
        const settings = JSON.parse(row.settings) as FollowSettings
        const apiKey = this.followKeys.get(row.request_id) ?? this.env.KIE_API_KEY ?? ''
        const task = { index: row.idx, taskId: row.task_id, giveUpAt: row.give_up_at }
        const step = await stepKieTask(task, settings, apiKey, this.env.IMAGES)
        this.afterStep(row, settings, step)
      }),
    )
    for (const step of steps)
      if (step.status === 'rejected') console.error('followed task not recorded', step.reason)
  }

  /** Records what one check of a followed task found; the job settles when its last task ends. */
  private afterStep(row: FollowedRow, settings: FollowSettings, step: TaskStep) {
    const { request_id: requestId, idx: index } = row
    if (!this.isRunning(requestId)) {
      // Settled meanwhile: the image is listed only if the settlement charged for it.
      this.sql.exec('DELETE FROM followed WHERE request_id = ? AND idx = ?', requestId, index)
      if (step.kind === 'stored') this.recordImages(requestId, [step.image])
      return
    }
    if (step.kind === 'running') {
      this.sql.exec(
        'UPDATE followed SET poll_at = ? WHERE request_id = ? AND idx = ?',
        Date.now() + settings.kie.pollIntervalMs,
        requestId,
        index,
      )
      return
    }
    this.transact(() => {
      this.sql.exec('DELETE FROM followed WHERE request_id = ? AND idx = ?', requestId, index)
      const job = this.sql
        .exec<JobRow>('SELECT * FROM jobs WHERE request_id = ?', requestId)
        .toArray()[0]
      if (!job) return
      if (step.kind === 'failed')
        this.sql.exec(
          'UPDATE jobs SET error = COALESCE(error, ?) WHERE request_id = ?',
          step.error,
          requestId,
        )
      else this.recordImages(requestId, [step.image])
      const left = this.sql
        .exec('SELECT 1 FROM followed WHERE request_id = ?', requestId)
        .toArray().length
      if (left > 0) return
      this.followKeys.delete(requestId)
      const { delivered, error } = this.sql
        .exec<{ delivered: number; error: string | null }>(
          'SELECT delivered, error FROM jobs WHERE request_id = ?',
          requestId,
        )
        .one()
      const settled = this.settleNow(requestId, {
        state: delivered > 0 ? 'done' : 'failed',
        error: error ?? undefined,
        refundReason: `${job.requested - delivered} of ${job.requested} not delivered (followed after the client left)`,
        accepted: true,
      })
      // A job that made nothing frees its key, as a request that fails does, so it can be retried.
      if (settled && row.key_hash && delivered === 0)
        this.sql.exec('DELETE FROM idempotency WHERE key_hash = ?', row.key_hash)
      else if (settled && row.key_hash)
        this.finishFollowedKey(row.key_hash, requestId, settings, settled)
    })
  }

  /** A repeat of the job's Idempotency-Key now replays what the object finished. */
  private finishFollowedKey(
    keyHash: string,
    requestId: string,
    settings: FollowSettings,
    settled: Settlement,
  ) {
    const job = this.sql.exec<JobRow>('SELECT * FROM jobs WHERE request_id = ?', requestId).one()
    const { charged, refunded, balance } = settled
    const expiresAt = Date.now() + settings.imageTtlSeconds * 1000
    const result = jobResult(job, { charged, refunded, balance }, expiresAt)
    this.sql.exec(
      "UPDATE idempotency SET state = 'done', until = NULL, result = ? WHERE key_hash = ?",
      JSON.stringify(result),
      keyHash,
    )
  }

  /**
   * Ends a request: it is charged for the images it stored and refunded the rest, once. A request
   * settled already (or given back by the alarm at its deadline) changes nothing more.
   */
  async settle(userId: string, requestId: string, outcome: SettleOutcome): Promise<Settlement> {
    const account = await this.load(userId)
    if (!account) return { charged: 0, refunded: 0, balance: 0, settledNow: false }
    const result = this.settleNow(requestId, outcome)
    const now = Date.now()
    const due = this.kvDue(now)
    if (due !== null && due <= now) this.writeInBackground()
    else this.alarmBy(due ?? now + JOB_TTL_MS)
    return result ?? { charged: 0, refunded: 0, balance: account.balance, settledNow: false }
  }

  /**
   * Records what the request had not recorded yet (its acceptance, its images), then, if its hold
   * is still there, charges the images delivered and refunds the rest, in one transaction.
   */
  private settleNow(requestId: string, outcome: SettleOutcome): Settlement | null {
    return this.transact(() => {
      const job = this.sql
        .exec<Pick<JobRow, 'state' | 'images' | 'delivered' | 'accepted' | 'held' | 'price'>>(
          'SELECT state, images, delivered, accepted, held, price FROM jobs WHERE request_id = ?',
          requestId,
        )
        .toArray()[0]
      const arrived = outcome.delivered ?? []
      const delivered = Math.min(
        (job?.delivered ?? 0) + arrived.length,
        outcome.deliveredCount ?? Number.POSITIVE_INFINITY,
      )
      const accepted = Boolean(outcome.accepted || job?.accepted)
      const updatedAt = new Date().toISOString()
      if (job?.state !== 'running') {
        // Settled already (at its deadline, say): an image that arrives now is listed only if
        // that settlement charged for it, as any late image is.
        if (job && outcome.accepted)
          this.sql.exec('UPDATE jobs SET accepted = 1 WHERE request_id = ?', requestId)
        if (job) this.recordImages(requestId, arrived)
        return null
      }
      const billed = Boolean(outcome.billedIfAccepted && accepted)
      const charged = billed ? job.held : Math.min(job.held, delivered * job.price)
      const refunded = job.held - charged
      const now = Date.now()
      const balance =
        refunded > 0
          ? this.change(refunded, `refund: ${outcome.refundReason}`, now, requestId)
          : this.account()!.balance
      if (delivered > 0) this.addUsage(dayOf(now), 0, delivered)
      this.sql.exec(
        'UPDATE jobs SET images = ?, delivered = ?, accepted = ?, state = ?, charged = ?, refunded = ?, error = ?, updated_at = ? WHERE request_id = ?',
        withImages(job.images, arrived),
        delivered,
        accepted ? 1 : 0,
        outcome.state,
        charged,
        refunded,
        billed ? STOPPED_AFTER_ACCEPTANCE : (outcome.error ?? null),
        updatedAt,
        requestId,
      )
      return { charged, refunded, balance, settledNow: true }
    })
  }

  /** An admin's grant (positive) or removal (negative); refused if the balance would go below 0. */
  async grant(
    userId: string,
    delta: number,
    reason: string,
  ): Promise<{ ok: true; view: AccountView } | { ok: false; balance: number } | null> {
    const account = await this.load(userId)
    if (!account) return null
    if (account.balance + delta < 0) return { ok: false, balance: account.balance }
    this.transact(() => this.change(delta, reason, Date.now()))
    this.schedule()
    return { ok: true, view: this.view(100) }
  }

  /** The balance and the newest entries, newest first, for the designer's own view. */
  async summary(
    userId: string,
    recent: number,
    access: Access,
  ): Promise<{ refused: Refusal } | Account> {
    const account = await this.load(userId)
    if (!account) return { refused: 'unknown_user' }
    const refusal = this.admit(access)
    if (refusal) return { refused: refusal }
    this.settleExpired(Date.now())
    const entries = this.sql
      .exec<LedgerRow>('SELECT * FROM ledger ORDER BY position DESC LIMIT ?', recent)
      .toArray()
      .map(toEntry)
    return {
      user_id: account.id,
      name: account.name,
      balance: this.account()!.balance,
      recent_usage: entries,
    }
  }

  /** The account and a page of its ledger: `count` entries before position `before`. */
  async ledger(userId: string, count: number, before?: number): Promise<AccountView | null> {
    if (!(await this.load(userId))) return null
    this.settleExpired(Date.now())
    this.schedule()
    return this.view(count, before)
  }

  private view(count: number, before?: number): AccountView {
    const account = this.account()!
    const total = this.ledgerTotal()
    const end = Math.min(before ?? total, total)
    const from = Math.max(0, end - count)
    const ledger = this.sql
      .exec<LedgerRow>(
        'SELECT * FROM ledger WHERE position >= ? AND position < ? ORDER BY position',
        from,
        end,
      )
      .toArray()
      .map(toEntry)
    return {
      user_id: account.id,
      name: account.name,
      balance: account.balance,
      disabled: account.disabled === 1,
      monthly_allowance: account.monthly_allowance,
      created_at: account.created_at,
      ledger,
      ledger_from: from,
      ledger_total: total,
    }
  }

  /** A generation of this user's, as its owner sees it; null when there is none. */
  async job(userId: string, requestId: string, access: Access): Promise<JobView | Refusal | null> {
    await this.load(userId)
    const refusal = this.admit(access)
    if (refusal) return refusal
    this.settleExpired(Date.now())
    const row = this.sql
      .exec<JobRow>('SELECT * FROM jobs WHERE request_id = ?', requestId)
      .toArray()[0]
    return row ? jobView(row) : null
  }

  /**
   * A free service the user may use `limit` times per window (Enhance), and only while they have
   * credits: a sliding window of their own calls, counted here so it holds everywhere.
   */
  async allow(
    userId: string,
    bucket: string,
    limit: number,
    windowMs: number,
    access: Access,
  ): Promise<
    | { ok: true }
    | { ok: false; reason: 'rate'; retryAfterMs: number }
    | { ok: false; reason: 'no_credits' }
    | { ok: false; reason: Refusal }
  > {
    if (!(await this.load(userId))) return { ok: false, reason: 'unknown_user' }
    const refusal = this.admit(access)
    if (refusal) return { ok: false, reason: refusal }
    if (this.account()!.balance <= 0) return { ok: false, reason: 'no_credits' }
    const now = access.now
    this.sql.exec('DELETE FROM rate_hits WHERE bucket = ? AND at <= ?', bucket, now - windowMs)
    const hits = this.sql
      .exec<{ n: number; first: number | null }>(
        'SELECT COUNT(*) AS n, MIN(at) AS first FROM rate_hits WHERE bucket = ?',
        bucket,
      )
      .one()
    if (hits.n >= limit)
      return { ok: false, reason: 'rate', retryAfterMs: hits.first! + windowMs - now }
    this.sql.exec('INSERT INTO rate_hits VALUES (?, ?)', bucket, now)
    return { ok: true }
  }

  // —— what the team admin sees and changes ——

  /** The user as the admin's list shows them; reading it tops up a new month's allowance. */
  async adminSummary(userId: string, now: number): Promise<AdminUserSummary | null> {
    if (!(await this.load(userId))) return null
    if (!this.account()!.disabled) this.topUp(now)
    this.settleExpired(Date.now())
    this.schedule()
    return this.adminView(now)
  }

  private adminView(now: number): AdminUserSummary {
    const account = this.account()!
    const month = this.sql
      .exec<{ credits: number | null; images: number | null }>(
        'SELECT SUM(credits) AS credits, SUM(images) AS images FROM usage_days WHERE day LIKE ?',
        `${monthOf(now)}-%`,
      )
      .one()
    return {
      user_id: account.id,
      name: account.name,
      balance: account.balance,
      disabled: account.disabled === 1,
      monthly_allowance: account.monthly_allowance,
      spent_this_month: month.credits ?? 0,
      images_this_month: month.images ?? 0,
      last_active: account.last_active,
      created_at: account.created_at,
    }
  }

  /**
   * Renames, turns off or on, or sets the monthly allowance. The KV copy is written at once, so
   * authentication everywhere sees a user turned off within KV's propagation; this object refuses
   * the user's requests from this moment. A new allowance applies from the next calendar month.
   */
  async update(userId: string, patch: UserPatch, now: number): Promise<AdminUserSummary | null> {
    const account = await this.load(userId)
    if (!account) return null
    // The month's top-up by the allowance in force comes first, as on any first use of a month.
    if (!account.disabled) this.topUp(now)
    this.changeAccount({
      ...(patch.name !== undefined ? { name: patch.name } : {}),
      ...(patch.disabled !== undefined ? { disabled: patch.disabled ? 1 : 0 } : {}),
      ...(patch.monthly_allowance !== undefined
        ? { monthly_allowance: patch.monthly_allowance, allowance_month: monthOf(now) }
        : {}),
    })
    await this.writeNow()
    return this.adminView(now)
  }

  /** Replaces the token's hash: the old token is refused from this moment, here and so everywhere. */
  async rotateToken(
    userId: string,
    tokenHash: string,
    now: number,
  ): Promise<AdminUserSummary | null> {
    if (!(await this.load(userId))) return null
    this.changeAccount({ token_hash: tokenHash })
    await this.writeNow()
    return this.adminView(now)
  }

  /**
   * Whether a token that KV does not (yet) know is this user's current one: a freshly rotated
   * token works everywhere at once, not only once KV has caught up.
   */
  async verifyToken(userId: string, tokenHash: string): Promise<boolean> {
    const account = await this.load(userId)
    return account ? digestsMatch(tokenHash, account.token_hash) : false
  }

  /** Credits and images by day, both ends included, days with use only. */
  async usage(userId: string, from: string, to: string): Promise<UsageRow[]> {
    const account = await this.load(userId)
    if (!account) return []
    return this.sql
      .exec<{ day: string; credits: number; images: number }>(
        'SELECT * FROM usage_days WHERE day >= ? AND day <= ? AND (credits != 0 OR images != 0) ORDER BY day',
        from,
        to,
      )
      .toArray()
      .map((row) => ({ ...row, user_id: account.id, name: account.name }))
  }

  /**
   * Writes the KV copy now, or a second after the last write (KV takes one write per key per
   * second). The alarm is set first: it writes the copy if KV refuses, or if this object stops.
   */
  private async writeNow() {
    this.schedule()
    const wait = Math.max(this.lastWriteBegan(), this.lastAttemptAt) + KV_WRITE_GAP_MS - Date.now()
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait))
    await this.writeThrough().catch((error) => console.error('KV write-through failed', error))
    this.schedule()
  }

  /**
   * Writes the KV copy without holding up the call that made it due, then sets the alarm for the
   * next work, later than the one set while the change waited: the alarm need not run for this.
   */
  private writeInBackground() {
    void this.writeThrough()
      .catch((error) => console.error('KV write-through failed', error))
      .then(() => {
        this.alarmAt = null
        this.schedule()
      })
      .catch((error) => console.error('alarm not set after a KV write', error))
  }

  // —— Idempotency-Key records: a repeat anywhere sees the first request's state at once ——

  /** Refused for a rotated token or a user turned off, as every call for a request is. */
  async claimKey(
    userId: string,
    access: Access,
    keyHash: string,
    fingerprint: string,
    until: number,
  ): Promise<KeyClaim> {
    if (!(await this.load(userId))) return { kind: 'refused', reason: 'unknown_user' }
    const refusal = this.admit(access)
    if (refusal) return { kind: 'refused', reason: refusal }
    const now = Date.now()
    const existing = this.sql
      .exec<{
        fingerprint: string
        state: string
        until: number | null
        result: string | null
        expires: number
      }>('SELECT * FROM idempotency WHERE key_hash = ?', keyHash)
      .toArray()[0]
    // A key whose job the object follows is held as one a request runs.
    const running = existing?.state === 'running' || existing?.state === 'followed'
    const live = existing && existing.expires > now && !(running && (existing.until ?? 0) <= now)
    if (live) {
      if (existing.fingerprint !== fingerprint) return { kind: 'mismatch' }
      if (running) return { kind: 'running' }
      return { kind: 'replay', result: JSON.parse(existing.result!) }
    }
    this.sql.exec(
      "INSERT OR REPLACE INTO idempotency VALUES (?, ?, 'running', ?, NULL, ?)",
      keyHash,
      fingerprint,
      until,
      now + IDEMPOTENCY_TTL_MS,
    )
    return { kind: 'new' }
  }

  async finishKey(
    userId: string,
    keyHash: string,
    claimedUntil: number,
    result: GenerationResult,
  ): Promise<void> {
    await this.load(userId)
    this.sql.exec(
      `UPDATE idempotency SET state = 'done', until = NULL, result = ? WHERE ${STILL_CLAIMED}`,
      JSON.stringify(result),
      keyHash,
      claimedUntil,
    )
  }

  /**
   * A failed request frees its key, so it can be retried; while the object still follows its job,
   * which may yet make images, the key stays taken, and the object ends it.
   */
  async abandonKey(
    userId: string,
    keyHash: string,
    claimedUntil: number,
    requestId: string,
  ): Promise<void> {
    await this.load(userId)
    if (this.isRunning(requestId)) return
    this.sql.exec(`DELETE FROM idempotency WHERE ${STILL_CLAIMED}`, keyHash, claimedUntil)
  }

  // —— the alarm: holds past their deadline, expired records, and the write-through to KV ——

  /** Requests that never settled (their isolate stopped): charged for the images they stored. */
  private settleExpired(now: number) {
    const expired = this.sql
      .exec<{ request_id: string }>(
        "SELECT request_id FROM jobs WHERE state = 'running' AND until <= ?",
        now,
      )
      .toArray()
    for (const { request_id } of expired) {
      // A job the object follows is charged for what it stored, which it knows exactly.
      const followed = this.sql
        .exec('DELETE FROM followed WHERE request_id = ? RETURNING idx', request_id)
        .toArray().length
      this.settleNow(request_id, {
        state: 'stopped',
        error: 'The request stopped before it finished.',
        refundReason: STOPPED_REASON,
        billedIfAccepted: followed === 0,
      })
    }
    const due = this.kvDue(now)
    if (expired.length > 0 && due !== null) this.alarmBy(due)
  }

  /**
   * An alarm may come before anything is due (one set for an earlier deadline), so each of its
   * jobs checks its own time, the KV write KV's one-per-second gap.
   */
  override async alarm(): Promise<void> {
    this.alarmAt = null
    if (!this.account()) return
    const now = Date.now()
    // Most alarms come for the KV write alone: the other work is looked at only when it is due.
    const work = this.nextWork()
    if (work.hold !== null && work.hold <= now) this.settleExpired(now)
    if (work.expiry !== null && work.expiry <= now) {
      this.sql.exec('DELETE FROM idempotency WHERE expires <= ?', now)
      this.sql.exec('DELETE FROM jobs WHERE expires <= ? AND state != ?', now, 'running')
    }
    if (work.poll !== null && work.poll <= now) await this.stepFollowed(now)
    const later = Date.now()
    const due = this.kvDue(later)
    if (due !== null && due <= later)
      await this.writeThrough().catch((error) => console.error('KV write-through failed', error))
    // Worked out afresh: what ran here, or meanwhile, may have set the alarm for work now done.
    this.alarmAt = null
    this.schedule()
  }

  /**
   * Writes the user's record (and any ledger chunks it newly counts) to KV, when it has changed;
   * after a write already in flight, never beside it.
   */
  private async writeThrough(): Promise<void> {
    while (this.writing) await this.writing.catch(() => {})
    if (!this.account()?.kv_dirty) return
    this.writing = this.putRecord()
    try {
      await this.writing
    } finally {
      this.writing = null
    }
  }

  private async putRecord(): Promise<void> {
    const account = this.account()!
    const total = this.ledgerTotal()
    const chunks = archivedChunks(total)
    const entries = (from: number, to: number) =>
      this.sql
        .exec<LedgerRow>(
          'SELECT * FROM ledger WHERE position >= ? AND position < ? ORDER BY position',
          from,
          to,
        )
        .toArray()
        .map(toEntry)
    const record: AccountRecord = {
      id: account.id,
      name: account.name,
      created_at: account.created_at,
      token_hash: account.token_hash,
      balance: account.balance,
      disabled: account.disabled === 1,
      monthly_allowance: account.monthly_allowance,
      ledger: entries(chunks * LEDGER_CHUNK_SIZE, total),
      archived_chunks: chunks,
    }
    const fromChunk = account.kv_chunks
    // The next write's gap counts from this one's start. The record stays marked as changed until
    // KV has it, so a write cut short (the object stopped) is made again by the alarm.
    const began = Date.now()
    this.changedSinceWriteBegan = false
    this.writeBeganAt = began
    this.lastAttemptAt = began
    try {
      for (let chunk = fromChunk; chunk < chunks; chunk++) {
        const start = chunk * LEDGER_CHUNK_SIZE
        await this.env.STORE.put(
          ledgerChunkKey(account.id, chunk),
          JSON.stringify(entries(start, start + LEDGER_CHUNK_SIZE)),
        )
      }
      await this.env.STORE.put(userKey(account.id), JSON.stringify(record))
      this.patchAccount({
        kv_written_at: began,
        kv_chunks: chunks,
        ...(this.changedSinceWriteBegan ? {} : { kv_dirty: 0 }),
      })
    } catch (error) {
      this.patchAccount({ kv_written_at: Date.now() + KV_RETRY_MS - KV_BATCH_MS })
      throw error
    } finally {
      this.writeBeganAt = 0
    }
  }

  /** When the last write to KV began; after a failed one, the time its retry counts from. */
  private lastWriteBegan(): number {
    return Math.max(this.account()?.kv_written_at ?? 0, this.writeBeganAt)
  }

  /** When the KV copy is next to be written, or null when it is up to date. */
  private kvDue(now: number): number | null {
    return this.account()?.kv_dirty ? Math.max(now, this.lastWriteBegan() + KV_BATCH_MS) : null
  }

  /**
   * Makes sure the alarm comes by `time`, for work just added: an alarm already set sooner finds
   * the next work itself when it runs.
   */
  private alarmBy(time: number) {
    if (this.alarmAt !== null && this.alarmAt <= time) return
    this.alarmAt = time
    void this.ctx.storage.setAlarm(time)
  }

  /** The next time the alarm has work: a write to KV, a hold's deadline, or records to expire. */
  private schedule() {
    const { hold, expiry, poll } = this.nextWork()
    const times = [this.kvDue(Date.now()), hold, expiry, poll].filter((time) => time !== null)
    if (times.length > 0) this.alarmBy(Math.min(...times))
  }

  /**
   * When each kind of the alarm's work is next due, or null when there is none: the first hold's
   * deadline, the first record to expire, the first followed task to check. One query for all.
   */
  private nextWork(): { hold: number | null; expiry: number | null; poll: number | null } {
    return this.sql
      .exec<{ hold: number | null; expiry: number | null; poll: number | null }>(
        `SELECT (SELECT MIN(until) FROM jobs WHERE state = 'running') AS hold,
          (SELECT MIN(expires) FROM (SELECT expires FROM idempotency UNION ALL SELECT expires FROM jobs WHERE state != 'running')) AS expiry,
          (SELECT MIN(poll_at) FROM followed) AS poll`,
      )
      .one()
  }
}
