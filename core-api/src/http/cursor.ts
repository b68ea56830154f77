import type { z } from 'zod';
import { ValidationError } from '@platform/kit';

/**
 * Opaque keyset cursors: base64url of a small JSON tuple. Clients must not build them; a cursor
 * that does not decode to the expected shape is a 400 on `query.cursor`.
 */
export function encodeCursor(values: readonly (string | number)[]): string {
  return Buffer.from(JSON.stringify(values)).toString('base64url');
}

export function decodeCursor<S extends z.ZodType>(
  cursor: string | undefined,
  shape: S,
): z.output<S> | undefined {
  if (cursor === undefined) return undefined;
  try {
    return shape.parse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
  } catch {
    throw new ValidationError([
      { path: 'query.cursor', message: 'is not a cursor this API issued' },
    ]);
  }
}
