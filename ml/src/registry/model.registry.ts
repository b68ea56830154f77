import type { SqlDatabase, SqlExecutor } from '@platform/kit/sql';
import type { ModelStatus, ModelSummary, OfflineMetrics } from '@platform/contracts';

export interface RunMetrics {
  readonly candidate: OfflineMetrics;
  readonly popularity: OfflineMetrics;
  readonly live: OfflineMetrics | null;
}

export interface RunData {
  readonly dataFrom: Date | null;
  readonly dataTo: Date | null;
  readonly users: number;
  readonly items: number;
  readonly interactions: number;
}

export interface LiveModel {
  readonly summary: ModelSummary;
  readonly artifact: Uint8Array;
}

interface Row {
  version: number;
  status: ModelStatus;
  algorithm: string;
  metrics: RunMetrics | null;
  data_from: Date | string | null;
  data_to: Date | string | null;
  users: number;
  items: number;
  interactions: number;
  train_seconds: number | null;
  reason: string | null;
  created_at: Date | string;
  promoted_at: Date | string | null;
}

const SUMMARY_COLUMNS = `version, status, algorithm, metrics, data_from, data_to, users, items,
  interactions, train_seconds, reason, created_at, promoted_at`;

const iso = (d: Date | string | null): string | null =>
  d === null ? null : new Date(d).toISOString();

function summary(row: Row): ModelSummary {
  return {
    version: row.version,
    status: row.status,
    algorithm: row.algorithm,
    metrics: row.metrics,
    dataFrom: iso(row.data_from),
    dataTo: iso(row.data_to),
    users: row.users,
    items: row.items,
    interactions: row.interactions,
    trainSeconds: row.train_seconds,
    reason: row.reason,
    createdAt: iso(row.created_at)!,
    promotedAt: iso(row.promoted_at),
  };
}

/**
 * Versioned training runs in PostgreSQL (`ml_models`, migration 0004 of core-api). A run is
 * `training` while it goes on, then `live` (promoted: the previous live row becomes
 * `retired` in the same transaction), `rejected` by the promotion gate, or `failed`.
 */
export class ModelRegistry {
  constructor(private readonly db: SqlDatabase) {}

  async start(algorithm: string, params: Record<string, unknown>): Promise<number> {
    const { rows } = await this.db.query<{ version: number }>(
      `INSERT INTO ml_models (status, algorithm, params) VALUES ('training', $1, $2) RETURNING version`,
      [algorithm, JSON.stringify(params)],
    );
    return rows[0]!.version;
  }

  async fail(version: number, reason: string): Promise<void> {
    await this.db.query(
      `UPDATE ml_models SET status = 'failed', reason = $2 WHERE version = $1 AND status = 'training'`,
      [version, reason.slice(0, 2000)],
    );
  }

  async reject(
    version: number,
    outcome: { metrics: RunMetrics; data: RunData; trainSeconds: number; reason: string },
  ): Promise<void> {
    await this.finish(this.db, version, 'rejected', outcome, null);
  }

  /** Makes the run live and retires the one before, atomically. */
  async promote(
    version: number,
    outcome: { metrics: RunMetrics; data: RunData; trainSeconds: number; artifact: Uint8Array },
  ): Promise<ModelSummary> {
    return this.db.transaction(async (tx) => {
      await tx.query(`UPDATE ml_models SET status = 'retired' WHERE status = 'live'`);
      await this.finish(tx, version, 'live', { ...outcome, reason: null }, outcome.artifact);
      const { rows } = await tx.query<Row>(
        `SELECT ${SUMMARY_COLUMNS} FROM ml_models WHERE version = $1`,
        [version],
      );
      return summary(rows[0]!);
    });
  }

  private async finish(
    db: SqlExecutor,
    version: number,
    status: 'live' | 'rejected',
    o: { metrics: RunMetrics; data: RunData; trainSeconds: number; reason: string | null },
    artifact: Uint8Array | null,
  ): Promise<void> {
    await db.query(
      `UPDATE ml_models SET status = $2, metrics = $3, data_from = $4, data_to = $5, users = $6,
         items = $7, interactions = $8, train_seconds = $9, reason = $10, artifact = $11,
         promoted_at = CASE WHEN $2 = 'live' THEN now() ELSE NULL END
       WHERE version = $1`,
      [
        version,
        status,
        JSON.stringify(o.metrics),
        o.data.dataFrom,
        o.data.dataTo,
        o.data.users,
        o.data.items,
        o.data.interactions,
        o.trainSeconds,
        o.reason,
        artifact,
      ],
    );
  }

  /** The live model's version, cheaply (to notice a promotion we missed). */
  async liveVersion(): Promise<number | null> {
    const { rows } = await this.db.query<{ version: number }>(
      `SELECT version FROM ml_models WHERE status = 'live'`,
    );
    return rows[0]?.version ?? null;
  }

  async liveSummary(): Promise<ModelSummary | null> {
    const { rows } = await this.db.query<Row>(
      `SELECT ${SUMMARY_COLUMNS} FROM ml_models WHERE status = 'live'`,
    );
    return rows[0] ? summary(rows[0]) : null;
  }

  async live(): Promise<LiveModel | null> {
    const { rows } = await this.db.query<Row & { artifact: Uint8Array }>(
      `SELECT ${SUMMARY_COLUMNS}, artifact FROM ml_models WHERE status = 'live'`,
    );
    const row = rows[0];
    if (!row?.artifact) return null;
    return { summary: summary(row), artifact: row.artifact };
  }

  async list(limit = 20): Promise<ModelSummary[]> {
    const { rows } = await this.db.query<Row>(
      `SELECT ${SUMMARY_COLUMNS} FROM ml_models ORDER BY version DESC LIMIT $1`,
      [limit],
    );
    return rows.map(summary);
  }

  /** Runs left `training` for more than `hours` (their process died) are marked failed. */
  async failAbandoned(reason: string, hours: number): Promise<number> {
    const { rowCount } = await this.db.query(
      `UPDATE ml_models SET status = 'failed', reason = $1
       WHERE status = 'training' AND created_at < now() - make_interval(hours => $2)`,
      [reason, hours],
    );
    return rowCount;
  }
}
