import type { OpenAPIRegistry, RouteConfig } from '@asteasolutions/zod-to-openapi';
import { problemSchema } from '@platform/contracts';
import {
  MethodNotAllowedError,
  UnauthorizedError,
  ValidationError,
  zodToFieldErrors,
} from '@platform/kit';
import type { Request, RequestHandler, Response, Router } from 'express';
import { z } from 'zod';
import type { AuthUser } from '../auth/auth.types.js';

export type Auth = 'required' | 'optional' | 'none';

type Infer<S> = S extends z.ZodType ? z.output<S> : undefined;

export interface RouteInput<P, Q, B, A extends Auth> {
  params: Infer<P>;
  query: Infer<Q>;
  body: Infer<B>;
  user: A extends 'required' ? AuthUser : AuthUser | undefined;
  req: Request;
  res: Response;
}

export interface RouteResult {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** The handler wrote the response itself (a stream): send nothing more. */
  streamed?: boolean;
}

export interface RouteDefinition<P, Q, B, A extends Auth> {
  method: 'get' | 'post' | 'patch' | 'put' | 'delete';
  /** Express path, e.g. `/v1/events/:id`. */
  path: string;
  /** Stable name of the operation in the OpenAPI document (and the target of links). */
  operationId: string;
  summary: string;
  tags: string[];
  auth: A;
  params?: P;
  query?: Q;
  body?: B;
  /** Success responses by status; the common problem responses are documented for every route. */
  responses: Record<
    number,
    {
      description: string;
      schema?: z.ZodType;
      /** Defaults to application/json. */
      contentType?: string;
      /** OpenAPI links: which operations take a value of this response (for clients and fuzzers). */
      links?: Record<string, { operationId: string; parameters: Record<string, string> }>;
    }
  >;
  /** Extra problem statuses this route can answer with, for the docs. */
  problems?: number[];
  /** Middleware to run after validation-independent checks (rate limits, idempotency). */
  before?: RequestHandler[];
  /**
   * false: the JSON body is written as it is, with no ETag, for lists built anew on every request
   * (each is recorded as impressions when served): Express hashes every body for its ETag
   * (SHA-1, a native hash object and a copy of the body per response), work and garbage that
   * no conditional request of such a list would use.
   */
  etag?: false;
  handler: (input: RouteInput<P, Q, B, A>) => Promise<RouteResult> | RouteResult;
}

const idempotencyHeader = z.object({
  'Idempotency-Key': z
    .string()
    .regex(/^[\x21-\x7e]{1,255}$/)
    .optional()
    .describe('Retry-safe key: a retry with the same key and body replays the first response.'),
});

const problemTitles: Record<number, string> = {
  400: 'Invalid request',
  401: 'Authentication required',
  403: 'Not allowed',
  404: 'Not found',
  409: 'Conflict with the current state',
  413: 'Body too large',
  422: 'Idempotency key reused with a different request',
  429: 'Rate limited',
  503: 'Temporarily unavailable; retry after Retry-After seconds',
};

function parsePart<S>(schema: S | undefined, value: unknown, where: string): Infer<S> {
  if (!schema) return undefined as Infer<S>;
  const result = (schema as unknown as z.ZodType).safeParse(value ?? {});
  if (result.success) return result.data as Infer<S>;
  throw new ValidationError(
    zodToFieldErrors(result.error).map((e) => ({
      ...e,
      path: e.path ? `${where}.${e.path}` : where,
    })),
  );
}

export interface RouteContext {
  router: Router;
  registry: OpenAPIRegistry;
  /** Runs before every POST handler (Idempotency-Key handling). */
  beforePost?: RequestHandler;
  /** Filled by defineRoute: the methods each path answers, for 405 + Allow. */
  methods?: Map<string, Set<string>>;
}

/**
 * After all routes: a known path with an unknown method is 405 with an Allow header (not 404),
 * and OPTIONS answers with the Allow header.
 */
export function finishRoutes(context: RouteContext): void {
  for (const [path, methods] of context.methods ?? []) {
    const allow = [...methods].map((m) => m.toUpperCase());
    if (allow.includes('GET')) allow.push('HEAD');
    allow.push('OPTIONS');
    context.router.all(path, (req, res) => {
      if (req.method === 'OPTIONS') {
        res.status(204).set('allow', allow.join(', ')).end();
        return;
      }
      throw new MethodNotAllowedError(allow);
    });
  }
}

/**
 * One definition per route: it validates params, query and body with the zod schemas from
 * `contracts`, checks authentication, and registers the same schemas in the OpenAPI document.
 */
export function defineRoute<
  P extends z.ZodType | undefined = undefined,
  Q extends z.ZodType | undefined = undefined,
  B extends z.ZodType | undefined = undefined,
  A extends Auth = 'none',
>(context: RouteContext, def: RouteDefinition<P, Q, B, A>): void {
  const { router, registry } = context;
  const openapiPath = def.path.replace(/:(\w+)/g, '{$1}');
  const responses: RouteConfig['responses'] = {};
  for (const [status, r] of Object.entries(def.responses)) {
    responses[status] = {
      description: r.description,
      ...(r.schema
        ? { content: { [r.contentType ?? 'application/json']: { schema: r.schema } } }
        : {}),
      ...(r.links ? { links: r.links } : {}),
    };
  }
  const problems = new Set([400, 429, ...(def.problems ?? [])]);
  if (def.auth === 'required') problems.add(401);
  if (def.body) problems.add(413);
  if (def.method === 'post') {
    problems.add(409);
    problems.add(422);
  }
  for (const status of problems) {
    responses[status] ??= {
      description: problemTitles[status] ?? 'Problem',
      content: { 'application/problem+json': { schema: problemSchema } },
    };
  }
  registry.registerPath({
    method: def.method,
    path: openapiPath,
    operationId: def.operationId,
    summary: def.summary,
    tags: def.tags,
    ...(def.auth === 'none'
      ? {}
      : { security: def.auth === 'required' ? [{ bearer: [] }] : [{ bearer: [] }, {}] }),
    request: {
      ...(def.params ? { params: def.params as never } : {}),
      ...(def.query ? { query: def.query as never } : {}),
      ...(def.body
        ? {
            body: {
              required: true,
              content: { 'application/json': { schema: def.body as z.ZodType } },
            },
          }
        : {}),
      ...(def.method === 'post' ? { headers: idempotencyHeader } : {}),
    },
    responses,
  });

  const handler: RequestHandler = async (req, res) => {
    if (def.auth === 'required' && !req.user) throw new UnauthorizedError();
    const input = {
      params: parsePart(def.params, req.params, 'params'),
      query: parsePart(def.query, req.query, 'query'),
      body: parsePart(def.body, def.body ? (req.body ?? {}) : undefined, 'body'),
      user: req.user,
      req,
      res,
    } as RouteInput<P, Q, B, A>;
    const result = await def.handler(input);
    if (result.streamed) return;
    res.status(result.status).set(result.headers ?? {});
    if (result.body === undefined) res.end();
    else if (def.etag === false)
      res.set('content-type', 'application/json; charset=utf-8').end(JSON.stringify(result.body));
    else res.json(result.body);
  };
  context.methods ??= new Map();
  if (!context.methods.has(def.path)) context.methods.set(def.path, new Set());
  context.methods.get(def.path)!.add(def.method);
  const chain = [...(def.before ?? [])];
  if (def.method === 'post' && context.beforePost) chain.push(context.beforePost);
  router[def.method](def.path, ...chain, handler);
}
