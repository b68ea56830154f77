import type { Server } from 'node:http';
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
 * Listens on host:port and registers a shutdown step that stops accepting connections, lets
 * in-flight requests finish, then closes idle keep-alive sockets.
 */
export async function listen(
  app: Express,
  options: { port: number; host?: string; logger: Logger; shutdown?: Shutdown; name?: string },
): Promise<Server> {
  const server = await new Promise<Server>((resolve, reject) => {
    const s = app.listen(options.port, options.host ?? '0.0.0.0', (error?: Error) =>
      error ? reject(error) : resolve(s),
    );
    s.once('error', reject);
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
