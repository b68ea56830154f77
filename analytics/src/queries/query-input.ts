import { ValidationError } from '@platform/kit';
import type { z } from 'zod';

/** Parses a query's input with its contract schema; a bad one is a ValidationError (400). */
export function parseQueryInput<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  throw new ValidationError(
    result.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
  );
}
