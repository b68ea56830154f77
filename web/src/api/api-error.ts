import type { Problem } from '@platform/contracts';

/** A non-2xx answer from the API, with its RFC 9457 problem details when it sent them. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly problem: Problem | undefined,
  ) {
    super(problem?.detail ?? problem?.title ?? `Request failed with status ${status}`);
    this.name = 'ApiError';
  }

  get code(): string | undefined {
    return this.problem?.code;
  }

  /**
   * Field messages keyed by the body path without its `body.` prefix (`venue.city`), for forms.
   * Several messages for one field are joined.
   */
  fieldErrors(): Record<string, string> {
    const fields: Record<string, string> = {};
    for (const { path, message } of this.problem?.errors ?? []) {
      const key = path.replace(/^body\.?/, '') || '_';
      fields[key] = fields[key] ? `${fields[key]}; ${message}` : message;
    }
    return fields;
  }
}

/** Network failures and non-API errors, as one message a person can read. */
export function errorMessage(error: unknown): string {
  if (error instanceof ApiError) {
    if (error.status === 404 && !error.problem) return 'Not found.';
    if (error.status >= 500)
      return `The server could not answer (${error.status}). ${error.message}`;
    return error.message;
  }
  if (error instanceof TypeError) return 'Could not reach the server. Check your connection.';
  return error instanceof Error ? error.message : 'Something went wrong.';
}

export const isNotFound = (error: unknown): boolean =>
  error instanceof ApiError && error.status === 404;
