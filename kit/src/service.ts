import type { Express } from 'express';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import {
  createServiceApp,
  finishServiceApp,
  listen,
  type ReadinessCheck,
} from './http/service-app.js';
import { createLogger } from './logger/logger.js';
import { createMetricsRegistry } from './metrics/metrics.js';
import { Shutdown } from './shutdown/shutdown.js';

export interface ServiceContext {
  logger: Logger;
  metrics: Registry;
  shutdown: Shutdown;
}

/** The pieces every process starts with: a logger, a metrics registry, graceful shutdown. */
export function createServiceContext(
  service: string,
  logLevel: Logger['level'] = 'info',
): ServiceContext {
  const logger = createLogger({ service, level: logLevel as never });
  const metrics = createMetricsRegistry(service);
  const shutdown = new Shutdown(logger).listen();
  process.on('unhandledRejection', (reason) =>
    logger.error({ err: reason }, 'unhandled rejection'),
  );
  return { logger, metrics, shutdown };
}

/**
 * For worker processes (bridge, consumers, trainer): an HTTP server with only /healthz,
 * /readyz and /metrics.
 */
export async function startOpsServer(
  ctx: ServiceContext,
  options: { port: number; host?: string; readiness: ReadinessCheck[] },
): Promise<Express> {
  const app = createServiceApp({
    logger: ctx.logger,
    metrics: ctx.metrics,
    readiness: options.readiness,
  });
  finishServiceApp(app, ctx.logger);
  await listen(app, {
    port: options.port,
    host: options.host,
    logger: ctx.logger,
    shutdown: ctx.shutdown,
    name: 'ops server',
  });
  return app;
}
