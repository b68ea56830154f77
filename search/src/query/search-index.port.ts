import type { DomainMessage, SearchQuery, SearchResponse, Suggestion } from '@platform/contracts';
import type { SearchDocument } from './search-document.js';

/** The query parameters of `GET /v1/search`, validated by `searchQuerySchema`. */
export type SearchParams = SearchQuery;

/** What `apply` did: wrote a newer version, found nothing newer (replay), or ignored the type. */
export type ApplyOutcome = 'applied' | 'stale' | 'ignored';

/**
 * The search index port. Two adapters implement it, Elasticsearch (`index/elastic.index.ts`) and
 * an in-process MiniSearch index (`embedded/embedded.index.ts`); both pass
 * `search-index.contract.ts`.
 *
 * Only published events that have not started are found. Writes follow the versioning rule of
 * `search-document.ts`: nothing older than what is stored ever replaces it.
 */
export interface SearchIndex {
  /** Ranked hits with highlights, facets over all matches, and a cursor to the next page. */
  search(params: SearchParams): Promise<SearchResponse>;
  /** Up to `limit` titles for what has been typed so far, one per distinct title. */
  suggest(q: string, limit: number): Promise<Suggestion[]>;
  /** Indexes one domain message (events and registration counts; others are ignored). */
  apply(message: DomainMessage): Promise<ApplyOutcome>;
  /** Loads whole documents (a rebuild from the database), merged by the same versioning rule. */
  bulkLoad(documents: readonly SearchDocument[]): Promise<{ loaded: number }>;
  /** Makes every write so far visible to search. */
  refresh(): Promise<void>;
}
