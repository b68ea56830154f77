import type { Migration } from '../migration.runner.js';

const rollup = (name: string, seconds: number) =>
  `CREATE VIEW IF NOT EXISTS ${name} AS
  SELECT
    toDateTime(intDiv(toUInt32(window_start), ${seconds}) * ${seconds}, 'UTC') AS window_start,
    event_id,
    type,
    uniqExactMergeState(interactions) AS interactions,
    uniqExactMergeState(users) AS users
  FROM interaction_windows_1m
  GROUP BY window_start, event_id, type`;

/**
 * Coarser windows rolled up from the one-minute table, with the same columns, so anything that
 * reads `interaction_windows_1m` with `uniqExactMerge` reads these too (Grafana panels, ad-hoc
 * SQL). Merging the sets keeps unique users exact at every size. Plain views work on 18.16;
 * buckets are computed from epoch seconds because 18.16 lacks toStartOfInterval.
 *
 * 18.16 does not push a WHERE into a view (enable_optimize_predicate_expression is off there), so
 * the BI query module rolls up at query time from the one-minute table with the same expression;
 * these views are for people and dashboards.
 *
 * `category_windows_1m` attributes each event's windows to its category and city as of the
 * event's latest revision (the dimension is "latest revision wins"). Doing this at read time
 * rather than in the stream keeps it exact: an interaction may be read before its event's
 * `event.created`, and a category may change later; a join at read time is right in both cases.
 */
export const rollupViews: Migration = {
  version: 3,
  name: 'rollup views',
  statements: () => [
    rollup('interaction_windows_5m', 300),
    rollup('interaction_windows_1h', 3_600),
    rollup('interaction_windows_1d', 86_400),
    // The inner names differ from the columns: 18.16 resolves an alias inside its own
    // aggregate (`argMax(title, revision) AS title` is fine, `max(revision) AS revision` is not).
    `CREATE VIEW IF NOT EXISTS event_dimension_latest AS
    SELECT event_id, latest_revision AS revision, title, category, city, organizer_id, status, starts_at
    FROM (
      SELECT
        event_id,
        max(revision) AS latest_revision,
        argMax(title, revision) AS title,
        argMax(category, revision) AS category,
        argMax(city, revision) AS city,
        argMax(organizer_id, revision) AS organizer_id,
        argMax(status, revision) AS status,
        argMax(starts_at, revision) AS starts_at
      FROM event_dimension
      GROUP BY event_id
    )`,
    `CREATE VIEW IF NOT EXISTS category_windows_1m AS
    SELECT
      window_start,
      category,
      city,
      type,
      uniqExactMergeState(interactions) AS interactions,
      uniqExactMergeState(users) AS users
    FROM interaction_windows_1m AS w
    LEFT JOIN (
      SELECT event_id, argMax(category, revision) AS category, argMax(city, revision) AS city
      FROM event_dimension
      GROUP BY event_id
    ) AS d USING event_id
    GROUP BY window_start, category, city, type`,
  ],
};
