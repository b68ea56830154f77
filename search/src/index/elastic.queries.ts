import type { estypes } from '@elastic/elasticsearch';
import { searchLimits } from '@platform/contracts';
import { ranking } from '../query/ranking.js';
import type { SearchCursor } from '../query/search-cursor.js';
import type { SearchParams } from '../query/search-index.port.js';
import { FACET_SIZE } from '../query/search-results.js';
import type { QueryTerm } from '../query/text.js';

type Query = estypes.QueryDslQueryContainer;

/**
 * Request bodies for `_search`. They are plain functions of their inputs so the benchmark can
 * send the very same requests straight to Elasticsearch.
 */

/** Only what the adapter reads from a response: less JSON to write and to parse. */
export const filterPaths = {
  search:
    'hits.total,hits.hits._source,hits.hits.sort,aggregations.*.buckets.key,aggregations.*.buckets.doc_count',
  suggest: 'hits.hits._id,hits.hits._source',
} as const;

/** A whole-word match within the allowed edits (Levenshtein, as the embedded index counts). */
function wordQuery(field: string, term: string, edits: number, boost: number): Query {
  if (edits === 0) return { term: { [field]: { value: term, boost } } };
  return {
    fuzzy: {
      [field]: {
        value: term,
        fuzziness: edits,
        transpositions: false,
        prefix_length: 0,
        max_expansions: 50,
        boost,
      },
    },
  };
}

/** The clauses one query word can match; the embedded index builds the same (miniQuery). */
function termClauses(t: QueryTerm, scope: 'search' | 'suggest'): Query {
  const { fields } = ranking;
  const should: Query[] = [wordQuery('title', t.term, t.edits, fields.title)];
  if (t.prefix) should.push({ prefix: { title: { value: t.term, boost: fields.titlePrefix } } });
  if (t.prefix && t.edits > 0)
    should.push(wordQuery('titlePrefixes', t.term, t.edits, fields.titleFuzzyPrefix));
  if (scope === 'search')
    should.push(
      wordQuery('tags', t.term, t.edits, fields.tags),
      wordQuery('place', t.term, t.edits, fields.place),
      // Descriptions are long: typo expansion there costs the most and mostly adds noise.
      wordQuery('description', t.term, 0, fields.description),
    );
  return { bool: { should, minimum_should_match: 1 } };
}

/** Published and not started at `now`: the only events search ever returns. */
function searchableFilters(now: Date): Query[] {
  return [{ term: { status: 'published' } }, { range: { startsAt: { gt: now.toISOString() } } }];
}

/** The ranking of query/ranking.ts as a function_score around `query`. */
function ranked(query: Query, now: Date): Query {
  const trendSince = new Date(now.getTime() - ranking.trendWindowMs).toISOString();
  return {
    function_score: {
      query,
      functions: [
        { weight: 1 },
        {
          field_value_factor: { field: 'registrations', modifier: 'ln1p', missing: 0 },
          weight: ranking.popularityWeight,
        },
        {
          filter: { range: { trendAt: { gte: trendSince } } },
          field_value_factor: { field: 'trend', modifier: 'ln1p', missing: 0 },
          weight: ranking.trendWeight,
        },
        {
          gauss: {
            startsAt: {
              origin: now.toISOString(),
              scale: `${ranking.soonScaleDays}d`,
              decay: ranking.soonDecay,
            },
          },
          weight: ranking.soonWeight,
        },
      ],
      score_mode: 'sum',
      boost_mode: 'multiply',
    },
  };
}

const sortOrder: estypes.SortCombinations[] = [
  { _score: { order: 'desc' } },
  { startsAt: { order: 'asc' } },
  { id: { order: 'asc' } },
];

export function searchRequest(
  params: SearchParams,
  terms: readonly QueryTerm[],
  now: Date,
  cursor: SearchCursor | undefined,
): estypes.SearchRequest {
  const filter = searchableFilters(now);
  if (params.from) filter.push({ range: { startsAt: { gte: params.from } } });
  if (params.to) filter.push({ range: { startsAt: { lt: params.to } } });
  if (params.category) filter.push({ term: { category: params.category } });
  if (params.city) filter.push({ term: { cityKey: params.city.toLowerCase() } });
  if (params.near)
    filter.push({
      geo_distance: {
        distance: `${params.radiusKm ?? searchLimits.defaultRadiusKm}km`,
        location: { lat: params.near.lat, lon: params.near.lon },
      },
    });
  return {
    // One more than asked tells whether there is a next page.
    size: params.limit + 1,
    query: ranked({ bool: { must: terms.map((t) => termClauses(t, 'search')), filter } }, now),
    sort: sortOrder,
    ...(cursor ? { search_after: cursor.after } : {}),
    track_total_hits: true,
    aggs: {
      category: { terms: { field: 'category', size: FACET_SIZE } },
      city: { terms: { field: 'city', size: FACET_SIZE } },
    },
    _source: ['doc'],
  };
}

export function suggestRequest(
  terms: readonly QueryTerm[],
  limit: number,
  now: Date,
): estypes.SearchRequest {
  return {
    size: limit,
    query: ranked(
      {
        bool: { must: terms.map((t) => termClauses(t, 'suggest')), filter: searchableFilters(now) },
      },
      now,
    ),
    // One suggestion per distinct title: the best-ranked event of each.
    collapse: { field: 'titleKey' },
    sort: sortOrder,
    track_total_hits: false,
    _source: ['doc.event.title'],
  };
}
