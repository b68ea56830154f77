import type { Client } from '@elastic/elasticsearch';
import type { SqlExecutor } from '@platform/kit/sql';
import { countSearchDocuments, readSearchDocuments } from '../source/event.source.js';
import { DEFAULT_WRITE_TARGETS_TTL_MS } from './elastic.index.js';
import { bulkMerge } from './elastic.writer.js';
import {
  aliasTargets,
  createVersion,
  deleteOtherVersions,
  finishLoading,
  swapAlias,
  writeAliasOf,
  type VersionOptions,
} from './index-versions.js';

export interface ReindexProgress {
  loaded: number;
  total: number;
  elapsedSeconds: number;
  docsPerSecond: number;
}

export interface ReindexOptions extends VersionOptions {
  sql: SqlExecutor;
  client: Client;
  /** Read alias, e.g. `events`. */
  alias: string;
  /** Rows per database page and per bulk request. */
  pageSize?: number;
  /** Bulk requests in flight while the next page is read. */
  concurrency?: number;
  /**
   * Wait after adding the new version to the write alias, before reading the database: longer
   * than any indexer reuses its resolved write targets (`writeTargetsTtlMs`), so every change
   * committed after the read is also written to the new version.
   */
  settleMs?: number;
  /** Wait between the swap and deleting old versions, so searches already running there end. */
  deleteGraceMs?: number;
  now?: () => Date;
  onProgress?: (progress: ReindexProgress) => void;
}

export interface ReindexResult {
  index: string;
  documents: number;
  /** Reading PostgreSQL and bulk-loading, from the first page to the last acknowledged bulk. */
  loadSeconds: number;
  docsPerSecond: number;
  deleted: string[];
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Rebuilds the search index from PostgreSQL into a new version and swaps it in:
 *
 * 1. create `<alias>-v<timestamp>` (no replicas, no refresh while loading) and add it to the
 *    write alias, so live indexers write to both versions from now on;
 * 2. after `settleMs`, read the events in pages and bulk-load them (merging with anything the
 *    live indexers wrote meanwhile, by revision);
 * 3. refresh, then move the read alias in one atomic `_aliases` call: searches see the full old
 *    version, then the full new one, never an empty index;
 * 4. delete the old versions.
 *
 * If anything fails before the swap, the new version is deleted and search is untouched.
 */
export async function reindex(options: ReindexOptions): Promise<ReindexResult> {
  const { client, alias } = options;
  const now = options.now?.() ?? new Date();
  const index = await createVersion(client, alias, {
    replicas: options.replicas,
    loading: true,
    aliases: [writeAliasOf(alias)],
  });
  try {
    await sleep(options.settleMs ?? 2 * DEFAULT_WRITE_TARGETS_TTL_MS + 500);
    const total = await countSearchDocuments(options.sql, now);
    const started = performance.now();
    const elapsed = () => (performance.now() - started) / 1000;
    let loaded = 0;

    const inFlight = new Set<Promise<void>>();
    let failure: unknown;
    const concurrency = options.concurrency ?? 2;
    for await (const page of readSearchDocuments(options.sql, {
      now,
      pageSize: options.pageSize ?? 2_000,
    })) {
      if (failure) break;
      const write: Promise<void> = bulkMerge(client, index, page).then(
        () => {
          loaded += page.length;
          options.onProgress?.({
            loaded,
            total,
            elapsedSeconds: elapsed(),
            docsPerSecond: loaded / elapsed(),
          });
        },
        (error: unknown) => {
          failure ??= error;
        },
      );
      inFlight.add(write);
      void write.finally(() => inFlight.delete(write));
      if (inFlight.size >= concurrency) await Promise.race(inFlight);
    }
    await Promise.all(inFlight);
    if (failure) throw failure;
    const loadSeconds = elapsed();

    await finishLoading(client, index, options);
    await swapAlias(client, alias, index);
    await sleep(options.deleteGraceMs ?? 2_000);
    const deleted = await deleteOtherVersions(client, alias, index);
    return {
      index,
      documents: loaded,
      loadSeconds,
      docsPerSecond: loaded / Math.max(loadSeconds, 1e-9),
      deleted,
    };
  } catch (error) {
    if (!(await aliasTargets(client, alias)).includes(index))
      await client.indices.delete({ index }, { ignore: [404] });
    throw error;
  }
}
