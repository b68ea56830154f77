import { ValidationError } from '@platform/kit';
import { z } from 'zod';

/**
 * Where a result page ended: the sort key of its last hit (score, start time, id) and the instant
 * the first page was ranked at. Later pages rank at that same instant, so the time-dependent
 * boost and the "upcoming" filter do not shift under the client's feet.
 */
export interface SearchCursor {
  now: string;
  after: [score: number, startsAtMs: number, id: string];
}

const cursorShape = z.object({
  v: z.literal(1),
  now: z.iso.datetime(),
  after: z.tuple([z.number(), z.number().int(), z.string().min(1).max(100)]),
});

/** Opaque to clients: base64url of a small JSON object. */
export function encodeCursor(cursor: SearchCursor): string {
  return Buffer.from(JSON.stringify({ v: 1, ...cursor })).toString('base64url');
}

export function decodeCursor(cursor: string | undefined): SearchCursor | undefined {
  if (cursor === undefined) return undefined;
  try {
    const { now, after } = cursorShape.parse(
      JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')),
    );
    return { now, after };
  } catch {
    throw new ValidationError([
      { path: 'query.cursor', message: 'is not a cursor this API issued' },
    ]);
  }
}
