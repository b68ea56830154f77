import { clickhouse, dashboard, postgres } from './grafana.model.js';

/*
 * SQL for ClickHouse 18.16 (CI), current releases and chdb alike, the way the analytics query
 * module writes it (analytics/README.md, "Version gating"): buckets by epoch arithmetic on
 * $__interval_s (18.16 has no toStartOfInterval, so no $__timeInterval), subqueries on the right
 * of every JOIN, distinct ids counted rather than rows. Interactions come from the one-minute
 * windows (exact sets merged with uniqExactMerge), registrations and searches from the raw
 * tables. The $city and $category variables filter through each event's latest revision.
 */

/** Each event's category and city as of its latest revision. */
const dims = `(
    SELECT event_id, argMax(category, revision) AS category, argMax(city, revision) AS city
    FROM event_dimension
    GROUP BY event_id
) AS d`;

/** The dashboard's variables; "All" turns each into 1=1 ($__conditionalAll). */
const filters = `$__conditionalAll(city IN (\${city:singlequote}), $city)
  AND $__conditionalAll(category IN (\${category:singlequote}), $category)`;

const bucket = (column: string) =>
  `toDateTime(intDiv(toUInt32(${column}), $__interval_s) * $__interval_s)`;

const created = `type IN ('registration.confirmed', 'registration.waitlisted')`;

/** Per interaction type: how many (exact, from the windows) in the range, filtered. */
const interactionsByType = `
    SELECT type, uniqExactMerge(interactions) AS n
    FROM interaction_windows_1m
    LEFT JOIN ${dims} USING event_id
    WHERE $__timeFilter(window_start) AND ${filters}
    GROUP BY type`;

const registrationsInRange = `
    SELECT uniqExact(registration_id) AS n
    FROM registrations
    LEFT JOIN ${dims} USING event_id
    WHERE ${created} AND $__timeFilter(occurred_at) AND ${filters}`;

export const businessDashboard = dashboard({
  uid: 'platform-business',
  title: 'Business',
  description:
    'What people do: registrations, the funnel from impression to registration, click-through, what is popular, and what people search for. Data: ClickHouse (analytics tables) and PostgreSQL.',
  tags: ['platform', 'business', 'clickhouse'],
  from: 'now-7d',
  refresh: '1m',
  variables: [
    {
      name: 'city',
      label: 'City',
      sql: `SELECT DISTINCT city FROM event_dimension_latest WHERE city != '' ORDER BY city`,
    },
    {
      name: 'category',
      label: 'Category',
      sql: `SELECT DISTINCT category FROM event_dimension_latest WHERE category != '' ORDER BY category`,
    },
  ],
  panels: [
    { row: 'Overview' },
    {
      type: 'stat',
      title: 'Registrations',
      description:
        'Registrations created (confirmed or waitlisted) in the range, counted once each.',
      width: 6,
      height: 4,
      targets: [clickhouse(`SELECT n AS registrations FROM (${registrationsInRange})`, 'table')],
    },
    {
      type: 'stat',
      title: 'Active people',
      description:
        'Distinct people (signed in, or anonymous sessions) who did anything in the range.',
      width: 6,
      height: 4,
      targets: [
        clickhouse(
          `
          SELECT uniqExactMerge(users) AS people
          FROM interaction_windows_1m
          LEFT JOIN ${dims} USING event_id
          WHERE $__timeFilter(window_start) AND ${filters}`,
          'table',
        ),
      ],
    },
    {
      type: 'stat',
      title: 'Click-through rate',
      description: 'Clicks per impression in the range, on every surface.',
      width: 6,
      height: 4,
      unit: 'percentunit',
      targets: [
        clickhouse(
          `
          SELECT if(impressions = 0, 0, clicks / impressions) AS ctr
          FROM (
              SELECT sumIf(n, type = 'click') AS clicks, sumIf(n, type = 'impression') AS impressions
              FROM (${interactionsByType})
          )`,
          'table',
        ),
      ],
    },
    {
      type: 'stat',
      title: 'Impression to registration',
      description: 'Registrations per impression in the range: the whole funnel in one figure.',
      width: 6,
      height: 4,
      unit: 'percentunit',
      targets: [
        clickhouse(
          `
          SELECT if(impressions = 0, 0, registrations / impressions) AS conversion
          FROM (
              SELECT sumIf(n, type = 'impression') AS impressions,
                     (SELECT n FROM (${registrationsInRange})) AS registrations
              FROM (${interactionsByType})
          )`,
          'table',
        ),
      ],
    },

    { row: 'Over time' },
    {
      type: 'timeseries',
      title: 'Registrations and cancellations',
      description:
        'Per bucket: registrations created, cancelled by the person, and people promoted from the waitlist.',
      targets: [
        clickhouse(
          `
          SELECT
              ${bucket('occurred_at')} AS time,
              uniqExactIf(registration_id, ${created}) AS registrations,
              uniqExactIf(registration_id, type = 'registration.cancelled') AS cancellations,
              uniqExactIf(registration_id, type = 'registration.promoted') AS promotions
          FROM registrations
          LEFT JOIN ${dims} USING event_id
          WHERE $__timeFilter(occurred_at) AND ${filters}
          GROUP BY time
          ORDER BY time`,
          'timeseries',
        ),
      ],
    },
    {
      type: 'timeseries',
      title: 'Active people',
      description: 'Distinct people active per bucket (exact: the windows keep sets of people).',
      targets: [
        clickhouse(
          `
          SELECT ${bucket('window_start')} AS time, uniqExactMerge(users) AS people
          FROM interaction_windows_1m
          LEFT JOIN ${dims} USING event_id
          WHERE $__timeFilter(window_start) AND ${filters}
          GROUP BY time
          ORDER BY time`,
          'timeseries',
        ),
      ],
    },
    {
      type: 'timeseries',
      title: 'Click-through rate',
      description: 'Clicks per impression per bucket, on every surface.',
      unit: 'percentunit',
      targets: [
        clickhouse(
          `
          SELECT time, if(impressions = 0, 0, clicks / impressions) AS ctr
          FROM (
              SELECT time, sumIf(n, type = 'click') AS clicks, sumIf(n, type = 'impression') AS impressions
              FROM (
                  SELECT ${bucket('window_start')} AS time, type, uniqExactMerge(interactions) AS n
                  FROM interaction_windows_1m
                  LEFT JOIN ${dims} USING event_id
                  WHERE type IN ('click', 'impression') AND $__timeFilter(window_start) AND ${filters}
                  GROUP BY time, type
              )
              GROUP BY time
          )
          ORDER BY time`,
          'timeseries',
        ),
      ],
    },
    {
      type: 'bargauge',
      title: 'Funnel: impression, view, registration',
      description:
        'How many impressions, event views and registrations in the range; each step over the one before is the conversion.',
      options: {
        orientation: 'horizontal',
        displayMode: 'basic',
        reduceOptions: { values: true, calcs: [], fields: '/^value$/' },
      },
      targets: [
        clickhouse(
          `
          SELECT stage, value
          FROM (
              SELECT if(type = 'impression', '1 impression', '2 view') AS stage, n AS value
              FROM (${interactionsByType})
              WHERE type IN ('impression', 'view')
              UNION ALL
              SELECT '3 registration' AS stage, n AS value FROM (${registrationsInRange})
          )
          ORDER BY stage`,
          'table',
        ),
      ],
    },

    { row: 'What is popular' },
    {
      type: 'table',
      title: 'Top events',
      description: 'Events with the most views in the range, with their registrations.',
      width: 12,
      height: 10,
      targets: [
        clickhouse(
          `
          SELECT event_id, title, category, city, views, registrations
          FROM (
              -- One JOIN per SELECT: 18.16 has no second JOIN in one query.
              SELECT event_id, views, registrations
              FROM (
                  SELECT event_id, uniqExactMerge(interactions) AS views
                  FROM interaction_windows_1m
                  LEFT JOIN ${dims} USING event_id
                  WHERE type = 'view' AND event_id != '' AND $__timeFilter(window_start) AND ${filters}
                  GROUP BY event_id
                  ORDER BY views DESC, event_id
                  LIMIT 20
              ) AS v
              LEFT JOIN (
                  SELECT event_id, uniqExact(registration_id) AS registrations
                  FROM registrations
                  WHERE ${created} AND $__timeFilter(occurred_at)
                  GROUP BY event_id
              ) AS r USING event_id
          ) AS vr
          LEFT JOIN (SELECT event_id, title, category, city FROM event_dimension_latest) AS e USING event_id
          ORDER BY views DESC, event_id`,
          'table',
        ),
      ],
    },
    {
      type: 'bargauge',
      title: 'Top categories',
      description: 'Event views per category in the range.',
      width: 6,
      height: 10,
      options: {
        orientation: 'horizontal',
        displayMode: 'gradient',
        reduceOptions: { values: true, calcs: [], fields: '/^views$/' },
      },
      targets: [
        clickhouse(
          `
          SELECT category, uniqExactMerge(interactions) AS views
          FROM interaction_windows_1m
          LEFT JOIN ${dims} USING event_id
          WHERE type = 'view' AND category != '' AND $__timeFilter(window_start) AND ${filters}
          GROUP BY category
          ORDER BY views DESC, category
          LIMIT 15`,
          'table',
        ),
      ],
    },
    {
      type: 'table',
      title: 'Trending cities',
      description:
        'Cities by interactions in the second half of the range, with the growth over the first half (1 = flat).',
      width: 6,
      height: 10,
      targets: [
        clickhouse(
          `
          SELECT city, recent, earlier, if(earlier = 0, NULL, recent / earlier) AS growth
          FROM (
              SELECT
                  city,
                  sumIf(n, window_start >= toDateTime(intDiv(toUInt32($__fromTime) + toUInt32($__toTime), 2))) AS recent,
                  sumIf(n, window_start < toDateTime(intDiv(toUInt32($__fromTime) + toUInt32($__toTime), 2))) AS earlier
              FROM (
                  SELECT window_start, city, uniqExactMerge(interactions) AS n
                  FROM interaction_windows_1m
                  LEFT JOIN ${dims} USING event_id
                  WHERE city != '' AND $__timeFilter(window_start) AND ${filters}
                  GROUP BY window_start, city
              )
              GROUP BY city
          )
          ORDER BY recent DESC, city
          LIMIT 15`,
          'table',
        ),
      ],
    },

    { row: 'Search' },
    {
      type: 'table',
      title: 'Top searches',
      description:
        'What people search for most (trimmed, lower-cased), with the average result count.',
      width: 8,
      height: 10,
      targets: [
        clickhouse(
          `
          SELECT query_key AS query, count() AS searches, uniqExact(user_key) AS people,
                 round(avg(result_count), 1) AS average_results
          FROM (
              SELECT query_key, id, any(user_key) AS user_key, any(result_count) AS result_count
              FROM interactions
              WHERE type = 'search' AND late = 0 AND query_key != '' AND $__timeFilter(occurred_at)
              GROUP BY query_key, id
          )
          GROUP BY query_key
          ORDER BY searches DESC, query
          LIMIT 20`,
          'table',
        ),
      ],
    },
    {
      type: 'table',
      title: 'Searches with no results',
      description: 'What people looked for and the catalogue lacks.',
      width: 8,
      height: 10,
      targets: [
        clickhouse(
          `
          SELECT query_key AS query, count() AS searches, uniqExact(user_key) AS people
          FROM (
              SELECT query_key, id, any(user_key) AS user_key
              FROM interactions
              WHERE type = 'search' AND late = 0 AND query_key != '' AND result_count = 0
                AND $__timeFilter(occurred_at)
              GROUP BY query_key, id
          )
          GROUP BY query_key
          ORDER BY searches DESC, query
          LIMIT 20`,
          'table',
        ),
      ],
    },
    {
      type: 'table',
      title: 'Longest waitlists now',
      description:
        'Upcoming published events with the most people waiting, live from PostgreSQL (not filtered by the variables).',
      width: 8,
      height: 10,
      targets: [
        postgres(
          `
          SELECT title, city, category, starts_at, capacity, confirmed_count AS confirmed,
                 waitlist_count AS waiting
          FROM events
          WHERE status = 'published' AND starts_at > now() AND waitlist_count > 0
          ORDER BY waitlist_count DESC, starts_at
          LIMIT 20`,
          'table',
        ),
      ],
    },
  ],
});
