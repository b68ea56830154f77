import type { Logger, Registry } from '@platform/kit';
import type { MessageLog } from '@platform/kit/messaging';
import { kafkaToNatsRoute } from './kafka-to-nats/kafka-to-nats.route.js';
import { loadMappingsFile, type MappingsFile } from './mappings/mapping.config.js';
import { natsToKafkaRoute } from './nats-to-kafka/nats-to-kafka.route.js';
import { createBridgeMetrics, routeMetrics } from './pipe/bridge.metrics.js';
import { BridgePipe, type PipeStats } from './pipe/bridge.pipe.js';
import type { Route } from './pipe/forward.plan.js';

export interface StartBridgeOptions {
  /** The NATS side: JetStream in production, an in-memory log (one partition) when embedded. */
  nats: MessageLog;
  /** The Kafka side: Kafka in production, an in-memory log when embedded. */
  kafka: MessageLog;
  /** Default: `bridge/mappings.default.yaml`. */
  mappings?: MappingsFile;
  logger: Logger;
  /** The bridge registers its `bridge_*` metrics here (once per registry). */
  metrics: Registry;
  /** Reads a mapping's source lag, where the source can tell (main wires JetStream and Kafka). */
  lag?: (route: Route) => Promise<number | undefined>;
  lagIntervalMs?: number;
  /** How long stop() waits for a send in flight before leaving it to the next run. */
  drainTimeoutMs?: number;
}

export interface Bridge {
  readonly routes: readonly Route[];
  /** Per mapping: messages in flight (and the most at once), forwarded, dead-lettered, skipped. */
  stats(): Record<string, PipeStats>;
  /** Stops consuming, finishes the batches in flight, commits, and returns. Idempotent. */
  stop(): Promise<void>;
}

/** Every mapping of a mappings file as a route, NATS -> Kafka first. */
export function routesOf(mappings: MappingsFile): Route[] {
  return [
    ...mappings.natsToKafka.map((m) => natsToKafkaRoute(m, mappings.settings)),
    ...mappings.kafkaToNats.map((m) => kafkaToNatsRoute(m, mappings.settings)),
  ];
}

/**
 * Runs every mapping between the two logs until stop(). The same code runs in the bridge process
 * (JetStream and Kafka) and inside the embedded platform (two in-memory logs).
 */
export async function startBridge(options: StartBridgeOptions): Promise<Bridge> {
  const mappings = options.mappings ?? loadMappingsFile();
  const metrics = createBridgeMetrics(options.metrics);
  const routes = routesOf(mappings);
  const pipes = routes.map((route) => {
    const [source, target] =
      route.sourceSide === 'nats' ? [options.nats, options.kafka] : [options.kafka, options.nats];
    return new BridgePipe({
      route,
      source,
      target,
      settings: mappings.settings,
      logger: options.logger,
      metrics: routeMetrics(metrics, route.name, route.direction),
      ...(options.drainTimeoutMs === undefined ? {} : { drainTimeoutMs: options.drainTimeoutMs }),
    });
  });

  try {
    for (const pipe of pipes) await pipe.start();
  } catch (error) {
    // Including the pipe that failed half way: its members that did join leave again.
    await Promise.allSettled(pipes.map((p) => p.stop()));
    throw error;
  }

  let lagTimer: NodeJS.Timeout | undefined;
  const { lag } = options;
  if (lag) {
    const probe = async () => {
      for (const pipe of pipes) {
        try {
          const value = await lag(pipe.route);
          if (value !== undefined)
            metrics.lag.set({ mapping: pipe.route.name, direction: pipe.route.direction }, value);
        } catch (error) {
          options.logger.debug({ err: error, mapping: pipe.route.name }, 'lag probe failed');
        }
      }
    };
    lagTimer = setInterval(() => void probe(), options.lagIntervalMs ?? 10_000);
    lagTimer.unref();
    void probe();
  }

  let stopping: Promise<void> | undefined;
  return {
    routes,
    stats: () => Object.fromEntries(pipes.map((p) => [p.route.name, p.snapshot()])),
    stop: () =>
      (stopping ??= (async () => {
        clearInterval(lagTimer);
        await Promise.all(pipes.map((p) => p.stop()));
        options.logger.info('bridge stopped');
      })()),
  };
}
