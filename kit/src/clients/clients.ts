import { Redis } from 'ioredis';
import { Kafka, logLevel as kafkaLogLevel, type logCreator } from 'kafkajs';
import { connect, type NatsConnection } from 'nats';
import type { Logger } from 'pino';

/** kafkajs logs through our pino logger instead of its own console output. */
function kafkaLogCreator(logger: Logger): logCreator {
  return () =>
    ({ level, log }) => {
      const { message, ...extra } = log;
      const child = logger.child({ component: 'kafkajs', ...extra });
      if (level === kafkaLogLevel.ERROR) child.error(message);
      else if (level === kafkaLogLevel.WARN) child.warn(message);
      else child.debug(message);
    };
}

export function createKafka(options: {
  brokers: string[];
  clientId: string;
  logger: Logger;
}): Kafka {
  return new Kafka({
    clientId: options.clientId,
    brokers: options.brokers,
    logLevel: kafkaLogLevel.WARN,
    logCreator: kafkaLogCreator(options.logger),
    retry: { retries: 8, initialRetryTime: 200 },
  });
}

export function createRedis(url: string, options: { lazyConnect?: boolean } = {}): Redis {
  // maxRetriesPerRequest: null is what BullMQ requires; commands wait for a reconnect.
  return new Redis(url, { maxRetriesPerRequest: null, lazyConnect: options.lazyConnect ?? false });
}

export async function connectNats(url: string, name: string): Promise<NatsConnection> {
  const parsed = new URL(url);
  return connect({
    servers: `${parsed.hostname}:${parsed.port || 4222}`,
    name,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 500,
    // Without this nats.js builds two stack-trace Errors per request: ~40% of a publish's CPU.
    noAsyncTraces: true,
    ...(parsed.username
      ? { user: decodeURIComponent(parsed.username), pass: decodeURIComponent(parsed.password) }
      : {}),
  });
}

/** Readiness: Kafka answers a metadata request. */
export async function kafkaReady(kafka: Kafka): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.describeCluster();
  } finally {
    await admin.disconnect();
  }
}
