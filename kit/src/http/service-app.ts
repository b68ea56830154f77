import { createServer, IncomingMessage, ServerResponse, type Server } from 'node:http';
import type { Socket } from 'node:net';
import express, { type Express } from 'express';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { notFoundHandler, problemMiddleware } from '../errors/problem.middleware.js';
import { requestLogger } from '../logger/logger.js';
import { httpMetrics, metricsHandler } from '../metrics/metrics.js';
import type { Shutdown } from '../shutdown/shutdown.js';

/** A named dependency check for /readyz; throws or rejects when the dependency is not usable. */
export type ReadinessCheck = { name: string; check: () => Promise<unknown> };

export interface ServiceAppOptions {
  logger: Logger;
  metrics: Registry;
  readiness?: ReadinessCheck[];
  /** Largest JSON body accepted; larger gets 413 problem+json. */
  bodyLimit?: string;
  /** Larger limits for specific paths (exact match), e.g. batched ingest endpoints. */
  bodyLimits?: Record<string, string>;
}

/**
 * The Express app every process starts from: request ids and logs, RED metrics, JSON bodies with
 * a size limit, /healthz (process alive), /readyz (dependencies usable) and /metrics.
 * Add routes, then call `finishServiceApp` to install the 404 and problem+json handlers.
 */
export function createServiceApp(options: ServiceAppOptions): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback, linklocal, uniquelocal');
  app.set('query parser', 'simple');
  app.use(httpMetrics(options.metrics));
  app.use(requestLogger(options.logger));
  const json = express.json({ limit: options.bodyLimit ?? '100kb', strict: true });
  const larger = new Map(
    Object.entries(options.bodyLimits ?? {}).map(([path, limit]) => [
      path,
      express.json({ limit, strict: true }),
    ]),
  );
  app.use((req, res, next) => (larger.get(req.path) ?? json)(req, res, next));

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', async (_req, res) => {
    const results = await Promise.all(
      (options.readiness ?? []).map(async ({ name, check }) => {
        try {
          await withDeadline(check(), 2_000);
          return { name, ok: true };
        } catch (error) {
          return { name, ok: false, error: (error as Error).message };
        }
      }),
    );
    const ready = results.every((r) => r.ok);
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not-ready', checks: results });
  });
  app.get('/metrics', metricsHandler(options.metrics));
  return app;
}

export function finishServiceApp(app: Express, logger: Logger): Express {
  app.use(notFoundHandler);
  app.use(problemMiddleware(logger));
  return app;
}

/**
 * An HTTP server whose requests and responses are created with the app's prototypes. Express
 * otherwise re-parents each one as it enters the app (`Object.setPrototypeOf(req, app.request)`,
 * a no-op when the prototype is already that), and that re-parenting kept every request and
 * response alive through minor GCs into the old generation: under load, 5-10 ms scavenges and a
 * full GC of a few hundred MB every 20 s. Node takes the classes as options
 * (`IncomingMessage`, `ServerResponse`); see expressjs/express#5998.
 */
export function createAppServer(app: Express): Server {
  // Node's IncomingMessage and ServerResponse are plain constructor functions, so `call` runs
  // them on an object that already has the app's prototype. (Reflect.construct with a newTarget
  // does the same but allocated twice as much per request here, and still promoted some.)
  const initRequest = IncomingMessage as unknown as (this: object, socket: Socket) => void;
  const initResponse = ServerResponse as unknown as (this: object, ...args: unknown[]) => void;
  function AppRequest(this: object, socket: Socket) {
    initRequest.call(this, socket);
  }
  AppRequest.prototype = app.request as object;
  function AppResponse(this: object, ...args: unknown[]) {
    initResponse.apply(this, args);
  }
  AppResponse.prototype = app.response as object;
  return createServer(
    {
      IncomingMessage: AppRequest as unknown as typeof IncomingMessage,
      ServerResponse: AppResponse as unknown as typeof ServerResponse,
    },
    app,
  );
}

/**
 * Listens on host:port and registers a shutdown step that stops accepting connections, lets
 * in-flight requests finish, then closes idle keep-alive sockets.
 */
export async function listen(
  app: Express,
  options: { port: number; host?: string; logger: Logger; shutdown?: Shutdown; name?: string },
): Promise<Server> {
  const server = await new Promise<Server>((resolve, reject) => {
    const s = createAppServer(app);
    s.once('error', reject);
    s.listen(options.port, options.host ?? '0.0.0.0', () => resolve(s));
  });
  server.keepAliveTimeout = 65_000;
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  options.logger.info({ port }, `${options.name ?? 'http'} listening`);
  options.shutdown?.add(options.name ?? 'http server', () => closeServer(server));
  return server;
}

/**
 * Stops accepting connections and waits for in-flight requests. Keep-alive sockets become idle
 * as their last response ends, so idle ones are closed until none is left.
 */
export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    const sweep = setInterval(() => server.closeIdleConnections(), 50);
    server.close((error) => {
      clearInterval(sweep);
      if (error) reject(error);
      else resolve();
    });
    server.closeIdleConnections();
  });
}

function withDeadline<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    }),
  ]);
}
