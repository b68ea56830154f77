import type { estypes } from '@elastic/elasticsearch';
import type { SearchDocument } from '../query/search-document.js';
import { registrations } from '../query/ranking.js';
import { titleKey } from '../query/search-results.js';
import { indexText, wordPrefixes } from '../query/text.js';

/**
 * The events index, built only from what Elasticsearch core provides: the integ-test
 * distribution we run locally has no analysis-common (no edge_ngram, asciifolding, synonyms),
 * no mapper-extras (no search_as_you_type) and no scripting; the same mapping runs on the full
 * 8.19 image in docker-compose.
 *
 * - Words are normalized in TypeScript (query/text.ts: lower case, accents folded) and sent as
 *   space-separated terms, so the built-in `whitespace` analyzer is all we need, and the embedded
 *   index sees the very same terms.
 * - `title` has `index_prefixes` (1 to 10 characters): a `prefix` query on any title word is a
 *   single term lookup.
 * - `titlePrefixes` holds each title word's prefixes of 3 to 19 characters as keywords, so a
 *   `fuzzy` query on it is a typo-tolerant prefix match ("cofe" finds "coffee" through "coff"),
 *   which neither index_prefixes (its subfield cannot be queried) nor a completion field with
 *   filters can give us.
 * - `titleKey` (the normalized title) lets suggest collapse events with the same title.
 * - `doc` keeps the whole stored document, revisions included, for reads and merges; it is not
 *   indexed.
 */
export const eventIndexMappings: estypes.MappingTypeMapping = {
  dynamic: 'strict',
  properties: {
    id: { type: 'keyword' },
    doc: { type: 'object', enabled: false },
    status: { type: 'keyword' },
    title: {
      type: 'text',
      analyzer: 'whitespace',
      index_prefixes: { min_chars: 1, max_chars: 10 },
    },
    titlePrefixes: { type: 'keyword', doc_values: false },
    titleKey: { type: 'keyword' },
    tags: { type: 'text', analyzer: 'whitespace' },
    place: { type: 'text', analyzer: 'whitespace' },
    description: { type: 'text', analyzer: 'whitespace' },
    category: { type: 'keyword' },
    city: { type: 'keyword' },
    cityKey: { type: 'keyword' },
    location: { type: 'geo_point' },
    startsAt: { type: 'date' },
    registrations: { type: 'integer' },
    trend: { type: 'float' },
    trendAt: { type: 'date' },
  },
};

export function eventIndexSettings(options: {
  replicas: number;
  loading: boolean;
}): estypes.IndicesIndexSettings {
  return {
    // A few hundred thousand small documents: one shard keeps scoring exact and queries cheap.
    number_of_shards: 1,
    number_of_replicas: options.loading ? 0 : options.replicas,
    // A bulk load refreshes once at the end instead of every second.
    refresh_interval: options.loading ? '-1' : '1s',
  };
}

/** What is sent to Elasticsearch for a document: the document itself plus its indexed fields. */
export interface EventSource {
  id: string;
  doc: SearchDocument;
  registrations: number;
  trend?: number;
  trendAt?: string;
  status?: string;
  title?: string;
  titlePrefixes?: string[];
  titleKey?: string;
  tags?: string;
  place?: string;
  description?: string;
  category?: string;
  city?: string;
  cityKey?: string;
  location?: { lat: number; lon: number };
  startsAt?: string;
}

export function toSource(doc: SearchDocument): EventSource {
  const source: EventSource = {
    id: doc.id,
    doc,
    registrations: registrations(doc),
    ...(doc.trend ? { trend: doc.trend.value, trendAt: doc.trend.at } : {}),
  };
  const event = doc.event;
  if (!event) return source;
  return {
    ...source,
    status: event.status,
    title: indexText(event.title),
    titlePrefixes: wordPrefixes(event.title),
    titleKey: titleKey(event.title),
    tags: indexText(event.tags.join(' ')),
    place: indexText(`${event.venue.name} ${event.venue.city}`),
    description: indexText(event.description),
    category: event.category,
    city: event.venue.city,
    cityKey: event.venue.city.toLowerCase(),
    location: { lat: event.venue.lat, lon: event.venue.lon },
    startsAt: event.startsAt,
  };
}
