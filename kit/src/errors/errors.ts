/**
 * Typed domain errors. Domain code throws these; one middleware per service turns them into
 * RFC 9457 problem+json. Handlers never build error bodies themselves.
 */
export interface FieldError {
  path: string;
  message: string;
}

export abstract class AppError extends Error {
  abstract readonly status: number;
  abstract readonly code: string;
  /** Short, human-readable summary of the problem type. */
  abstract readonly title: string;
  /** Extra response headers, e.g. Retry-After. */
  headers(): Record<string, string> {
    return {};
  }
}

export class ValidationError extends AppError {
  readonly status = 400;
  readonly code = 'validation';
  readonly title = 'Request is not valid';
  constructor(
    readonly errors: FieldError[],
    message = errors.map((e) => `${e.path || '(body)'}: ${e.message}`).join('; '),
  ) {
    super(message);
  }
}

export class BadRequestError extends AppError {
  readonly status = 400;
  readonly title = 'Bad request';
  constructor(
    message: string,
    readonly code = 'bad-request',
  ) {
    super(message);
  }
}

export class UnauthorizedError extends AppError {
  readonly status = 401;
  readonly code = 'unauthorized';
  readonly title = 'Authentication required';
  constructor(message = 'A valid access token is required') {
    super(message);
  }
  override headers() {
    return { 'www-authenticate': 'Bearer' };
  }
}

export class ForbiddenError extends AppError {
  readonly status = 403;
  readonly code = 'forbidden';
  readonly title = 'Not allowed';
  constructor(message = 'You may not do this') {
    super(message);
  }
}

export class NotFoundError extends AppError {
  readonly status = 404;
  readonly code = 'not-found';
  readonly title = 'Not found';
  constructor(message = 'No such resource') {
    super(message);
  }
}

export class ConflictError extends AppError {
  readonly status = 409;
  readonly title = 'Conflict';
  constructor(
    message: string,
    readonly code = 'conflict',
  ) {
    super(message);
  }
}

export class PayloadTooLargeError extends AppError {
  readonly status = 413;
  readonly code = 'payload-too-large';
  readonly title = 'Request body too large';
}

export class UnprocessableError extends AppError {
  readonly status = 422;
  readonly title = 'Unprocessable request';
  constructor(
    message: string,
    readonly code = 'unprocessable',
  ) {
    super(message);
  }
}

export class TooManyRequestsError extends AppError {
  readonly status = 429;
  readonly code = 'rate-limited';
  readonly title = 'Too many requests';
  constructor(
    readonly retryAfterSeconds: number,
    message = 'Slow down and retry later',
  ) {
    super(message);
  }
  override headers() {
    return { 'retry-after': String(Math.max(1, Math.ceil(this.retryAfterSeconds))) };
  }
}

export class ServiceUnavailableError extends AppError {
  readonly status = 503;
  readonly title = 'Temporarily unavailable';
  constructor(
    message: string,
    readonly retryAfterSeconds = 1,
    readonly code = 'unavailable',
  ) {
    super(message);
  }
  override headers() {
    return { 'retry-after': String(Math.max(1, Math.ceil(this.retryAfterSeconds))) };
  }
}

export class MethodNotAllowedError extends AppError {
  readonly status = 405;
  readonly code = 'method-not-allowed';
  readonly title = 'Method not allowed';
  constructor(
    readonly allow: string[],
    message = `Allowed methods: ${allow.join(', ')}`,
  ) {
    super(message);
  }
  override headers() {
    return { allow: this.allow.join(', ') };
  }
}
