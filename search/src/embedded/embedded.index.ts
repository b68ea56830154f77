import type { DomainMessage, SearchResponse, Suggestion } from '@platform/contracts';
import { searchLimits } from '@platform/contracts';
import MiniSearch, { type Query } from 'minisearch';
import { haversineKm } from '../query/geo.js';
import { boost, ranking } from '../query/ranking.js';
import { decodeCursor, encodeCursor } from '../query/search-cursor.js';
import {
  applyMessage,
  eventIdOf,
  isSearchable,
  mergeDocuments,
  type SearchDocument,
} from '../query/search-document.js';
import type { ApplyOutcome, SearchIndex, SearchParams } from '../query/search-index.port.js';
import { facetBuckets, titleKey, toHit, toSuggestion } from '../query/search-results.js';
import { indexText, parseQuery, wordPrefixes, type QueryTerm } from '../query/text.js';

/** The fields MiniSearch indexes: the same normalized terms Elasticsearch receives. */
interface IndexedFields {
  id: string;
  title: string;
  titlePrefixes: string;
  tags: string;
  place: string;
  description: string;
}

export interface EmbeddedSearchIndexOptions {
  now?: () => Date;
}

/** The sort key of a result, which is also what a cursor remembers. */
interface SortKey {
  score: number;
  startsAtMs: number;
  id: string;
}

interface Ranked extends SortKey {
  doc: SearchDocument;
}

/**
 * The in-process search index for embedded mode: MiniSearch finds and scores words, the ranking,
 * filters, facets and cursors follow the same rules as the Elasticsearch adapter.
 *
 * Every document is kept in `documents` (drafts, cancelled and past events too) so the versioning
 * rule holds; only published events are in the MiniSearch index, and "not started yet" is checked
 * per query.
 */
export class EmbeddedSearchIndex implements SearchIndex {
  private readonly documents = new Map<string, SearchDocument>();
  /** Snapshot revision of each document's text in MiniSearch, to skip re-indexing count changes. */
  private readonly indexedRevision = new Map<string, number>();
  private readonly mini = new MiniSearch<IndexedFields>({
    fields: ['title', 'titlePrefixes', 'tags', 'place', 'description'],
    storeFields: [],
    // Text arrives normalized (query/text.ts): split on the single spaces indexText puts there.
    tokenize: (text) => text.split(' '),
    processTerm: (term) => term || null,
  });

  constructor(private readonly options: EmbeddedSearchIndexOptions = {}) {}

  private now(): Date {
    return this.options.now?.() ?? new Date();
  }

  async apply(message: DomainMessage): Promise<ApplyOutcome> {
    const id = eventIdOf(message);
    if (id === undefined) return 'ignored';
    const next = applyMessage(this.documents.get(id), message);
    if (!next) return 'stale';
    this.put(next);
    return 'applied';
  }

  async bulkLoad(documents: readonly SearchDocument[]): Promise<{ loaded: number }> {
    for (const doc of documents) {
      const current = this.documents.get(doc.id);
      const next = current ? mergeDocuments(current, doc) : doc;
      if (next) this.put(next);
    }
    return { loaded: documents.length };
  }

  async refresh(): Promise<void> {}

  async search(params: SearchParams): Promise<SearchResponse> {
    const cursor = decodeCursor(params.cursor);
    const now = cursor ? new Date(cursor.now) : this.now();
    const terms = parseQuery(params.q);
    const near = params.near;
    const radiusKm = near ? (params.radiusKm ?? searchLimits.defaultRadiusKm) : undefined;
    const from = params.from ? Date.parse(params.from) : undefined;
    const to = params.to ? Date.parse(params.to) : undefined;
    const city = params.city?.toLowerCase();

    const matches = this.ranked(terms, 'search', now, (doc) => {
      const event = doc.event!;
      const startsAt = Date.parse(event.startsAt);
      if (from !== undefined && startsAt < from) return false;
      if (to !== undefined && startsAt >= to) return false;
      if (params.category !== undefined && event.category !== params.category) return false;
      if (city !== undefined && event.venue.city.toLowerCase() !== city) return false;
      if (near && radiusKm !== undefined && haversineKm(near, event.venue) > radiusKm) return false;
      return true;
    });

    let start = 0;
    if (cursor) {
      const [score, startsAtMs, id] = cursor.after;
      start = matches.findIndex((m) => compare(m, { score, startsAtMs, id }) > 0);
      if (start < 0) start = matches.length;
    }
    const page = matches.slice(start, start + params.limit);
    const more = start + params.limit < matches.length;
    const last = page.at(-1);
    return {
      hits: page.map((m) => toHit(m.doc, terms, m.score, near)),
      facets: {
        category: facetBuckets(matches.map((m) => m.doc.event!.category)),
        city: facetBuckets(matches.map((m) => m.doc.event!.venue.city)),
      },
      total: matches.length,
      nextCursor:
        more && last
          ? encodeCursor({
              now: now.toISOString(),
              after: [last.score, last.startsAtMs, last.id],
            })
          : null,
    };
  }

  async suggest(q: string, limit: number): Promise<Suggestion[]> {
    const terms = parseQuery(q);
    const seen = new Set<string>();
    const suggestions: Suggestion[] = [];
    for (const { doc } of this.ranked(terms, 'suggest', this.now(), () => true)) {
      const title = doc.event!.title;
      const key = titleKey(title);
      if (seen.has(key)) continue;
      seen.add(key);
      suggestions.push(toSuggestion(doc.id, title, terms));
      if (suggestions.length >= limit) break;
    }
    return suggestions;
  }

  /** Searchable matches passing `keep`, best first (score, then sooner, then id). */
  private ranked(
    terms: readonly QueryTerm[],
    scope: 'search' | 'suggest',
    now: Date,
    keep: (doc: SearchDocument) => boolean,
  ): Ranked[] {
    if (terms.length === 0) return [];
    const results = this.mini.search(miniQuery(terms, scope), {
      filter: (result) => {
        const doc = this.documents.get(result.id as string);
        return doc !== undefined && isSearchable(doc, now) && keep(doc);
      },
    });
    return results
      .map((result) => {
        const doc = this.documents.get(result.id as string)!;
        return {
          doc,
          id: doc.id,
          score: result.score * boost(doc, now),
          startsAtMs: Date.parse(doc.event!.startsAt),
        };
      })
      .sort((a, b) => compare(a, b));
  }

  private put(doc: SearchDocument): void {
    this.documents.set(doc.id, doc);
    const indexed = doc.event?.status === 'published';
    const revision = this.indexedRevision.get(doc.id);
    if (indexed && revision === doc.snapshotRevision) return;
    if (revision !== undefined) {
      this.mini.discard(doc.id);
      this.indexedRevision.delete(doc.id);
    }
    if (indexed) {
      this.mini.add(indexedFields(doc));
      this.indexedRevision.set(doc.id, doc.snapshotRevision);
    }
  }
}

function indexedFields(doc: SearchDocument): IndexedFields {
  const event = doc.event!;
  return {
    id: doc.id,
    title: indexText(event.title),
    titlePrefixes: wordPrefixes(event.title).join(' '),
    tags: indexText(event.tags.join(' ')),
    place: indexText(`${event.venue.name} ${event.venue.city}`),
    description: indexText(event.description),
  };
}

/**
 * Every query word must match (AND); a word matches any field (OR): the title whole or with
 * typos, as a prefix when it is the word being typed, or as a prefix with typos; in search also
 * tags, venue and city (whole or with typos) and the description (whole words, no typos). The
 * Elasticsearch query has the same shape (index/elastic.queries.ts).
 */
function miniQuery(terms: readonly QueryTerm[], scope: 'search' | 'suggest'): Query {
  const { fields } = ranking;
  return {
    combineWith: 'AND',
    queries: terms.map((t) => {
      const fuzzy = t.edits > 0 ? t.edits : false;
      const clauses: Query[] = [
        {
          queries: [t.term],
          fields: ['title'],
          prefix: t.prefix,
          fuzzy,
          boost: { title: fields.title },
        },
      ];
      if (t.prefix && t.edits > 0)
        clauses.push({
          queries: [t.term],
          fields: ['titlePrefixes'],
          prefix: false,
          fuzzy,
          boost: { titlePrefixes: fields.titleFuzzyPrefix },
        });
      if (scope === 'search')
        clauses.push(
          {
            queries: [t.term],
            fields: ['tags', 'place'],
            prefix: false,
            fuzzy,
            boost: { tags: fields.tags, place: fields.place },
          },
          {
            queries: [t.term],
            fields: ['description'],
            prefix: false,
            fuzzy: false,
            boost: { description: fields.description },
          },
        );
      return { combineWith: 'OR', queries: clauses };
    }),
  };
}

/** Result order: higher score, then sooner start, then id (the cursor's sort key). */
function compare(a: SortKey, b: SortKey): number {
  if (a.score !== b.score) return b.score - a.score;
  if (a.startsAtMs !== b.startsAtMs) return a.startsAtMs - b.startsAtMs;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}
