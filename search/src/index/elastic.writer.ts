import { errors, type Client } from '@elastic/elasticsearch';
import { mergeDocuments, type SearchDocument } from '../query/search-document.js';
import { toSource, type EventSource } from './event-mapping.js';

/**
 * Versioned writes. A stored document has two parts with their own revisions (see
 * query/search-document.ts), which Elasticsearch's single external version cannot express, so
 * every write is a read-merge-write guarded by optimistic concurrency: the write names the
 * `_seq_no`/`_primary_term` it read (or `op_type: create` when there was nothing), and a
 * concurrent writer makes it fail with 409 and start over from a fresh read. Whatever the
 * interleaving, each part ends at its highest revision.
 */

const MAX_ATTEMPTS = 20;

/** The target index is gone (an old version deleted after a reindex swapped it out). */
export class IndexMissingError extends Error {
  constructor(readonly index: string) {
    super(`index ${index} does not exist`);
    this.name = 'IndexMissingError';
  }
}

const isConflict = (error: unknown) =>
  error instanceof errors.ResponseError && error.meta.statusCode === 409;

/**
 * Applies `change` to the stored document `id` in `index`. `change` returns the new document, or
 * undefined when the stored one is already as new.
 */
export async function updateDocument(
  client: Client,
  index: string,
  id: string,
  change: (current: SearchDocument | undefined) => SearchDocument | undefined,
): Promise<'applied' | 'stale'> {
  for (let attempt = 1; ; attempt++) {
    const current = await client.get<EventSource>(
      { index, id, _source: ['doc'] },
      { ignore: [404] },
    );
    // A 404 without `found` is a missing index, not a missing document: writing now would make
    // Elasticsearch auto-create a stray index with a guessed mapping.
    if (current.found === undefined) throw new IndexMissingError(index);
    const next = change(current.found ? current._source!.doc : undefined);
    if (!next) return 'stale';
    try {
      await client.index({
        index,
        id,
        document: toSource(next),
        ...(current.found
          ? { if_seq_no: current._seq_no!, if_primary_term: current._primary_term! }
          : { op_type: 'create' as const }),
      });
      return 'applied';
    } catch (error) {
      if (!isConflict(error) || attempt >= MAX_ATTEMPTS) throw error;
    }
  }
}

interface BulkItemResult {
  status: number;
  _id?: string;
  error?: { type: string; reason?: string };
}

/**
 * Loads whole documents into `index` with the bulk API. Documents go in with `create`, which is
 * all a fresh version needs; the few that already exist (written meanwhile by the live indexer)
 * are merged one by one, so a load never overwrites a newer part.
 */
export async function bulkMerge(
  client: Client,
  index: string,
  documents: readonly SearchDocument[],
): Promise<void> {
  if (documents.length === 0) return;
  const response = await client.bulk<EventSource>({
    operations: documents.flatMap((doc) => [
      { create: { _index: index, _id: doc.id } },
      toSource(doc),
    ]),
    filter_path: 'errors,items.*.status,items.*._id,items.*.error',
  });
  if (!response.errors) return;
  const byId = new Map(documents.map((d) => [d.id, d]));
  const conflicts: SearchDocument[] = [];
  for (const item of response.items) {
    const result = Object.values(item)[0] as BulkItemResult;
    if (result.status === 409) conflicts.push(byId.get(result._id!)!);
    else if (result.status >= 300)
      throw new Error(
        `bulk load into ${index} failed for ${result._id}: ${result.error?.type} ${result.error?.reason ?? ''}`,
      );
  }
  for (const doc of conflicts)
    await updateDocument(client, index, doc.id, (current) =>
      current ? mergeDocuments(current, doc) : doc,
    );
}
