import type { SqlDatabase } from '@platform/kit/sql';
import DataLoader from 'dataloader';

/** A registered event of a person's history, as recommendations read it. */
export interface HistoryRow {
  event_id: string;
  title: string;
}

/** Registrations read per person: the most recent ones. */
export const HISTORY_LIMIT = 200;

/**
 * People's registrations, newest first. Reads asked for in the same turn of the event loop go
 * to PostgreSQL as one query (DataLoader, scheduled after the I/O phase rather than after each
 * callback's microtasks, so requests that arrived together are read together). A first
 * request from each of many people, as after a restart, then costs a round trip per batch
 * instead of per person: each round trip is socket writes and a backend wake-up on both sides,
 * which is what saturated the event loop in bench:ml's first window.
 */
export class HistoryReader {
  private readonly loader: DataLoader<string, HistoryRow[]>;

  constructor(sql: SqlDatabase, options: { maxBatchSize?: number } = {}) {
    this.loader = new DataLoader((ids) => readHistories(sql, ids), {
      // The caller keeps its own cache, which registrations invalidate.
      cache: false,
      maxBatchSize: options.maxBatchSize ?? 64,
      batchScheduleFn: (dispatch) => setImmediate(dispatch),
    });
  }

  read(userId: string): Promise<HistoryRow[]> {
    return this.loader.load(userId);
  }
}

async function readHistories(sql: SqlDatabase, ids: readonly string[]): Promise<HistoryRow[][]> {
  // Without a cache DataLoader passes a person asked for twice twice: read them once.
  const people = [...new Set(ids)];
  const { rows } = await sql.query<HistoryRow & { user_id: string }>(
    `SELECT p.user_id, h.event_id, h.title
     FROM unnest($1::uuid[]) AS p(user_id)
     CROSS JOIN LATERAL (
       SELECT r.event_id, e.title, r.created_at
       FROM registrations r JOIN events e ON e.id = r.event_id
       WHERE r.user_id = p.user_id
       ORDER BY r.created_at DESC
       LIMIT ${HISTORY_LIMIT}
     ) h
     ORDER BY p.user_id, h.created_at DESC`,
    [people],
  );
  const byPerson = new Map<string, HistoryRow[]>(people.map((id) => [id, []]));
  for (const { user_id, event_id, title } of rows) byPerson.get(user_id)!.push({ event_id, title });
  return ids.map((id) => byPerson.get(id)!);
}
