import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { Logger } from 'pino';
import { ZodError } from 'zod';
import { AppError, NotFoundError, ValidationError, type FieldError } from './errors.js';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';
const typeBase = 'https://events-platform.dev/problems/';

export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail?: string;
  instance?: string;
  code: string;
  errors?: FieldError[];
}

export function zodToFieldErrors(error: ZodError): FieldError[] {
  return error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message }));
}

/** Errors raised by express.json() / body-parser carry a `type` and a `status`. */
interface BodyParserError {
  type: string;
  status: number;
  message: string;
}
const isBodyParserError = (e: unknown): e is BodyParserError =>
  typeof e === 'object' &&
  e !== null &&
  'type' in e &&
  'status' in e &&
  typeof e.status === 'number';

export function toProblem(
  error: unknown,
  instance?: string,
): { body: ProblemBody; headers: Record<string, string> } {
  let appError: AppError | undefined;
  if (error instanceof AppError) appError = error;
  else if (error instanceof ZodError) appError = new ValidationError(zodToFieldErrors(error));

  if (appError) {
    const body: ProblemBody = {
      type: typeBase + appError.code,
      title: appError.title,
      status: appError.status,
      detail: appError.message,
      code: appError.code,
      ...(instance ? { instance } : {}),
      ...(appError instanceof ValidationError ? { errors: appError.errors } : {}),
    };
    return { body, headers: appError.headers() };
  }

  if (isBodyParserError(error) && error.status >= 400 && error.status < 500) {
    const code =
      error.type === 'entity.too.large'
        ? 'payload-too-large'
        : error.type === 'entity.parse.failed'
          ? 'malformed-json'
          : error.type.replace(/\W+/g, '-');
    return {
      body: {
        type: typeBase + code,
        title: code === 'malformed-json' ? 'Body is not valid JSON' : 'Request body rejected',
        status: error.status,
        detail: error.message,
        code,
        ...(instance ? { instance } : {}),
      },
      headers: {},
    };
  }

  return {
    body: {
      type: typeBase + 'internal',
      title: 'Internal server error',
      status: 500,
      code: 'internal',
      ...(instance ? { instance } : {}),
    },
    headers: {},
  };
}

/** The one translator from thrown errors to problem+json responses. */
export function problemMiddleware(logger: Logger): ErrorRequestHandler {
  return (error, req, res, next) => {
    if (res.headersSent) return next(error);
    const { body, headers } = toProblem(error, req.originalUrl);
    if (body.status >= 500) logger.error({ err: error, reqId: req.id }, 'request failed');
    res.status(body.status).set(headers).type(PROBLEM_CONTENT_TYPE).send(JSON.stringify(body));
  };
}

/** 404 for anything no route matched, as problem+json. */
export const notFoundHandler: RequestHandler = (req, _res, next) => {
  next(new NotFoundError(`No route for ${req.method} ${req.path}`));
};
