import { eventSnapshotFromRow, type EventSnapshotRow } from '@platform/contracts';
import type { SqlExecutor } from '@platform/kit/sql';
import { documentFromSnapshot, type SearchDocument } from '../query/search-document.js';
import type { SearchIndex } from '../query/search-index.port.js';

interface EventRow extends EventSnapshotRow {
  trend: number | null;
  trend_at: Date | null;
}

/**
 * Events that have not started, in every state: drafts and cancelled events are loaded too (as
 * unsearchable documents), so a replayed older message cannot bring a cancelled event back.
 * Keyset pages by id. The trend is rebuilt from registrations of the last week: each active one
 * counts 1/2 per day between its creation and the latest one (the rule the live indexer follows).
 */
const pageQuery = `
  SELECT e.id, e.organizer_id, e.title, e.description, e.category, e.tags, e.starts_at,
         e.ends_at, e.venue_name, e.city, e.lat, e.lon, e.capacity, e.confirmed_count,
         e.waitlist_count, e.status, e.revision, e.published_at, t.trend, latest.at AS trend_at
  FROM events e
  LEFT JOIN LATERAL (
    SELECT max(r.created_at) AS at FROM registrations r
    WHERE r.event_id = e.id AND r.status <> 'cancelled'
  ) latest ON true
  LEFT JOIN LATERAL (
    SELECT sum(power(0.5, extract(epoch FROM (latest.at - r.created_at))::float8 / 86400))::float8 AS trend
    FROM registrations r
    WHERE r.event_id = e.id AND r.status <> 'cancelled'
      AND r.created_at > latest.at - interval '7 days'
  ) t ON latest.at IS NOT NULL
  WHERE e.starts_at > $1 AND e.id > $2
  ORDER BY e.id
  LIMIT $3`;

const FIRST_ID = '00000000-0000-0000-0000-000000000000';

export function countSearchDocuments(sql: SqlExecutor, now: Date): Promise<number> {
  return sql
    .query<{ n: number }>('SELECT count(*)::int AS n FROM events WHERE starts_at > $1', [now])
    .then((r) => r.rows[0]?.n ?? 0);
}

/** Pages of documents for every event that has not started at `now`. */
export async function* readSearchDocuments(
  sql: SqlExecutor,
  options: { now: Date; pageSize?: number },
): AsyncGenerator<SearchDocument[]> {
  const pageSize = options.pageSize ?? 2_000;
  let after = FIRST_ID;
  for (;;) {
    const { rows } = await sql.query<EventRow>(pageQuery, [options.now, after, pageSize]);
    if (rows.length === 0) return;
    yield rows.map(toDocument);
    if (rows.length < pageSize) return;
    after = rows.at(-1)!.id;
  }
}

function toDocument(row: EventRow): SearchDocument {
  return documentFromSnapshot(
    eventSnapshotFromRow(row),
    row.trend !== null && row.trend_at !== null
      ? { value: row.trend, at: row.trend_at.toISOString() }
      : null,
  );
}

/**
 * Fills an index from the database, e.g. the embedded index on boot. (For Elasticsearch, use
 * `reindex`, which builds a new version and swaps it in.)
 */
export async function loadFromDatabase(
  index: SearchIndex,
  sql: SqlExecutor,
  options: { now?: Date; pageSize?: number } = {},
): Promise<number> {
  let loaded = 0;
  for await (const page of readSearchDocuments(sql, { ...options, now: options.now ?? new Date() }))
    loaded += (await index.bulkLoad(page)).loaded;
  await index.refresh();
  return loaded;
}
