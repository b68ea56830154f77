import { errors, type Client, type estypes } from '@elastic/elasticsearch';
import type { DomainMessage, FacetBucket, SearchResponse, Suggestion } from '@platform/contracts';
import { ServiceUnavailableError } from '@platform/kit';
import { decodeCursor, encodeCursor } from '../query/search-cursor.js';
import { applyMessage, eventIdOf, type SearchDocument } from '../query/search-document.js';
import type { ApplyOutcome, SearchIndex, SearchParams } from '../query/search-index.port.js';
import { toHit, toSuggestion } from '../query/search-results.js';
import { parseQuery } from '../query/text.js';
import type { EventSource } from './event-mapping.js';
import { filterPaths, searchRequest, suggestRequest } from './elastic.queries.js';
import { aliasTargets, ensureIndex, writeAliasOf, type VersionOptions } from './index-versions.js';
import { bulkMerge, IndexMissingError, updateDocument } from './elastic.writer.js';

export interface ElasticSearchIndexOptions {
  client: Client;
  /** Read alias, e.g. `events`; writes go to every index behind `<alias>-write`. */
  alias: string;
  now?: () => Date;
  /**
   * How long the indices behind the write alias are reused before asking again. A reindex waits
   * longer than this after adding its new version, so every writer is writing to it by then.
   */
  writeTargetsTtlMs?: number;
  /** Bound on a search or suggest round trip; past it the request answers 503. */
  queryTimeoutMs?: number;
}

export const DEFAULT_WRITE_TARGETS_TTL_MS = 1_000;

/** The search index on Elasticsearch (production adapter of the `SearchIndex` port). */
export class ElasticSearchIndex implements SearchIndex {
  private readonly client: Client;
  private readonly alias: string;
  private readonly searchPath: string;
  private targets: { indices: Promise<string[]>; readAt: number } | undefined;

  constructor(private readonly options: ElasticSearchIndexOptions) {
    this.client = options.client;
    this.alias = options.alias;
    this.searchPath = `/${encodeURIComponent(options.alias)}/_search`;
  }

  private now(): Date {
    return this.options.now?.() ?? new Date();
  }

  /** Creates the first index version when the alias does not exist yet. */
  async ensureIndex(options: VersionOptions = {}): Promise<void> {
    await ensureIndex(this.client, this.alias, options);
    this.targets = undefined;
  }

  async search(params: SearchParams): Promise<SearchResponse> {
    const cursor = decodeCursor(params.cursor);
    const now = cursor ? new Date(cursor.now) : this.now();
    const terms = parseQuery(params.q);
    if (terms.length === 0)
      return { hits: [], facets: { category: [], city: [] }, total: 0, nextCursor: null };
    const response = await this.query<estypes.SearchResponse<EventSource>>(
      filterPaths.search,
      searchRequest(params, terms, now, cursor),
    );
    // filter_path drops empty parts of the response, e.g. `hits.hits` when nothing matched.
    const hits = response.hits?.hits ?? [];
    const page = hits.slice(0, params.limit);
    const last = page.at(-1);
    const total = response.hits?.total;
    return {
      hits: page.map((hit) => toHit(hit._source!.doc, terms, Number(hit.sort![0]), params.near)),
      facets: {
        category: buckets(response.aggregations?.category),
        city: buckets(response.aggregations?.city),
      },
      total: typeof total === 'number' ? total : (total?.value ?? 0),
      nextCursor:
        hits.length > params.limit && last
          ? encodeCursor({
              now: now.toISOString(),
              after: last.sort as [number, number, string],
            })
          : null,
    };
  }

  async suggest(q: string, limit: number): Promise<Suggestion[]> {
    const terms = parseQuery(q);
    if (terms.length === 0) return [];
    const response = await this.query<
      estypes.SearchResponse<{ doc: { event: { title: string } } }>
    >(filterPaths.suggest, suggestRequest(terms, limit, this.now()));
    return (response.hits?.hits ?? []).map((hit) =>
      toSuggestion(hit._id!, hit._source!.doc.event.title, terms),
    );
  }

  async apply(message: DomainMessage): Promise<ApplyOutcome> {
    const id = eventIdOf(message);
    if (id === undefined) return 'ignored';
    for (let attempt = 1; ; attempt++) {
      try {
        const outcomes = await Promise.all(
          (await this.writeTargets()).map((index) =>
            updateDocument(this.client, index, id, (current) => applyMessage(current, message)),
          ),
        );
        return outcomes.includes('applied') ? 'applied' : 'stale';
      } catch (error) {
        // The cached write targets named a version a reindex has deleted since: ask again.
        if (!(error instanceof IndexMissingError) || attempt >= 3) throw error;
        this.targets = undefined;
      }
    }
  }

  async bulkLoad(documents: readonly SearchDocument[]): Promise<{ loaded: number }> {
    for (const index of await this.writeTargets()) await bulkMerge(this.client, index, documents);
    return { loaded: documents.length };
  }

  async refresh(): Promise<void> {
    await this.client.indices.refresh({ index: writeAliasOf(this.alias) });
  }

  private writeTargets(): Promise<string[]> {
    const ttl = this.options.writeTargetsTtlMs ?? DEFAULT_WRITE_TARGETS_TTL_MS;
    if (this.targets && Date.now() - this.targets.readAt < ttl) return this.targets.indices;
    const readAt = Date.now();
    const indices = aliasTargets(this.client, writeAliasOf(this.alias)).then((found) => {
      if (found.length === 0)
        throw new Error(
          `No index behind ${writeAliasOf(this.alias)}: run ensureIndex or a reindex`,
        );
      return found;
    });
    this.targets = { indices, readAt };
    indices.catch(() => {
      if (this.targets?.indices === indices) this.targets = undefined;
    });
    return indices;
  }

  /**
   * One `_search` on the read alias. It goes through the client's transport rather than
   * `client.search`: that wrapper copies the request key by key into a body and opens an
   * OpenTelemetry span around every call (a no-op here, but not free), on the two routes where
   * the API's own CPU per request is what its latency depends on. The transport still
   * serialises, retries, times out and raises the same errors.
   */
  private query<T>(filterPath: string, body: estypes.SearchRequest): Promise<T> {
    return this.read(() =>
      this.client.transport.request<T>(
        {
          method: 'POST',
          path: this.searchPath,
          querystring: { filter_path: filterPath },
          body: body as Record<string, unknown>,
        },
        { requestTimeout: this.options.queryTimeoutMs ?? 5_000 },
      ),
    );
  }

  /** Reads that fail because Elasticsearch is down, slow or not set up answer 503, not 500. */
  private async read<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      const unavailable =
        error instanceof errors.ConnectionError ||
        error instanceof errors.TimeoutError ||
        error instanceof errors.NoLivingConnectionsError ||
        (error instanceof errors.ResponseError &&
          (error.meta.statusCode === 404 ||
            error.meta.statusCode === 429 ||
            (error.meta.statusCode ?? 500) >= 500));
      if (unavailable)
        throw new ServiceUnavailableError(
          'Search is temporarily unavailable',
          5,
          'search-unavailable',
        );
      throw error;
    }
  }
}

function buckets(aggregate: estypes.AggregationsAggregate | undefined): FacetBucket[] {
  const terms = aggregate as estypes.AggregationsStringTermsAggregate | undefined;
  const list = Array.isArray(terms?.buckets) ? terms.buckets : [];
  return list.map((b) => ({ value: String(b.key), count: b.doc_count }));
}
