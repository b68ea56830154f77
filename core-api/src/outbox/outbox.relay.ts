import { Counter, Gauge, type Logger, type Registry } from '@platform/kit';
import type { MessageLog, OutgoingMessage } from '@platform/kit/messaging';
import type { SqlDatabase, Unlisten } from '@platform/kit/sql';
import { sql } from 'kysely';
import type { Db } from '../db/db.js';

/** Any 64-bit number works; this one names "the outbox relay" among advisory locks. */
const RELAY_LOCK_KEY = 7_355_608_001;

export interface OutboxRelayDeps {
  db: Db;
  sql: SqlDatabase;
  /** The NATS JetStream side (or the in-memory log in embedded mode). */
  log: MessageLog;
  logger: Logger;
  metrics: Registry;
  batchSize?: number;
  /** Safety net besides LISTEN/NOTIFY: look for rows at least this often. */
  pollIntervalMs?: number;
}

interface OutboxRow {
  seq: number;
  id: string;
  aggregate_id: string;
  subject: string;
  message: unknown;
  headers: Record<string, string>;
}

/**
 * Publishes outbox rows to JetStream in `seq` order and marks them sent only after the PubAck.
 *
 * - Each round is one transaction holding a transaction-scoped advisory lock, so with several
 *   API instances exactly one relay publishes at a time: no double publishing, no reordering.
 *   (Per aggregate, `seq` order is commit order: every writer holds the event's row lock.)
 * - A crash between PubAck and commit republishes the rows; JetStream drops them as duplicates
 *   inside its window because `Nats-Msg-Id` is the message id.
 * - Wakes on NOTIFY from the outbox trigger, catches up at start, and polls slowly as a safety
 *   net; when NATS is down, rounds fail and retry with backoff while the backlog (a metric) grows.
 */
export class OutboxRelay {
  private readonly batchSize: number;
  private readonly pollIntervalMs: number;
  private readonly published: Counter;
  private readonly failures: Counter;
  private readonly backlog: Gauge;
  private readonly lag: Gauge;
  private stopped = false;
  private wake: (() => void) | undefined;
  private pending = false;
  private unlisten: Unlisten | undefined;
  private loop: Promise<void> | undefined;

  constructor(private readonly deps: OutboxRelayDeps) {
    this.batchSize = deps.batchSize ?? 500;
    this.pollIntervalMs = deps.pollIntervalMs ?? 5_000;
    this.published = new Counter({
      name: 'outbox_published_messages_total',
      help: 'Outbox messages published to JetStream and acknowledged',
      registers: [deps.metrics],
    });
    this.failures = new Counter({
      name: 'outbox_relay_failures_total',
      help: 'Relay rounds that failed (broker or database unavailable)',
      registers: [deps.metrics],
    });
    this.backlog = new Gauge({
      name: 'outbox_backlog_messages',
      help: 'Outbox messages not yet published',
      registers: [deps.metrics],
      // Measured at scrape time: the database is the truth, whichever instance relays.
      collect: async () => {
        const stats = await this.stats().catch(() => undefined);
        if (stats) {
          this.backlog.set(stats.backlog);
          this.lag.set(stats.oldestAgeSeconds);
        }
      },
    });
    this.lag = new Gauge({
      name: 'outbox_relay_lag_seconds',
      help: 'Age of the oldest unpublished outbox message',
      registers: [deps.metrics],
    });
  }

  async start(): Promise<void> {
    this.unlisten = await this.deps.sql.listen('outbox', () => this.kick());
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.kick();
    await this.unlisten?.();
    await this.loop;
  }

  /** Unpublished rows and the age of the oldest. */
  async stats(): Promise<{ backlog: number; oldestAgeSeconds: number }> {
    const row = await this.deps.db
      .selectFrom('outbox')
      .select((eb) => [
        eb.fn.countAll<number>().as('backlog'),
        sql<number>`coalesce(extract(epoch from now() - min(created_at)), 0)::float8`.as('age'),
      ])
      .where('published_at', 'is', null)
      .executeTakeFirstOrThrow();
    return { backlog: Number(row.backlog), oldestAgeSeconds: Number(row.age) };
  }

  private kick(): void {
    this.pending = true;
    this.wake?.();
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (!this.stopped) {
      this.pending = false;
      let more = false;
      try {
        more = await this.round();
        failures = 0;
      } catch (error) {
        failures++;
        this.failures.inc();
        this.deps.logger.warn({ err: error, failures }, 'outbox relay round failed; retrying');
      }
      if (this.stopped) break;
      if (failures > 0) await this.sleep(Math.min(10_000, 100 * 2 ** failures));
      else if (!more && !this.pending) await this.sleep(this.pollIntervalMs);
    }
  }

  /** Publishes one batch; true when there may be more waiting. */
  private round(): Promise<boolean> {
    return this.deps.db.transaction().execute(async (tx) => {
      const { rows: lock } = await sql<{
        ok: boolean;
      }>`SELECT pg_try_advisory_xact_lock(${RELAY_LOCK_KEY}::bigint) AS ok`.execute(tx);
      if (!lock[0]?.ok) return false;
      const rows = (await tx
        .selectFrom('outbox')
        .select(['seq', 'id', 'aggregate_id', 'subject', 'message', 'headers'])
        .where('published_at', 'is', null)
        .orderBy('seq')
        .limit(this.batchSize)
        .execute()) as OutboxRow[];
      if (rows.length === 0) return false;
      const messages: OutgoingMessage[] = rows.map((row) => ({
        id: row.id,
        topic: row.subject,
        key: row.aggregate_id,
        value: Buffer.from(JSON.stringify(row.message)),
        headers: row.headers,
      }));
      await this.deps.log.publish(messages);
      await tx
        .updateTable('outbox')
        .set({ published_at: sql`now()` })
        .where(
          'seq',
          'in',
          rows.map((r) => r.seq),
        )
        .execute();
      this.published.inc(rows.length);
      return rows.length === this.batchSize;
    });
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = () => {
        this.wake = undefined;
        done();
      };
    });
  }
}
