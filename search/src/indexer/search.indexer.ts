import { domainMessageSchema } from '@platform/contracts';
import { Counter, Gauge, type Logger, type Registry } from '@platform/kit';
import type { MessageLog, Subscription } from '@platform/kit/messaging';
import type { SearchIndex } from '../query/search-index.port.js';

/**
 * Keeps a search index current from domain messages: Kafka `platform.domain.v1` in production,
 * the in-memory log in embedded mode. Applying is idempotent and never regresses a document
 * (versions come from the messages), so redelivery is harmless; a message that does not parse is
 * counted and skipped rather than blocking the stream.
 */
export class SearchIndexer {
  private subscription: Subscription | undefined;
  private readonly applied: Counter;
  /** Messages not yet committed by the group, per topic and partition; the process sets it
   * from Kafka (`startKafkaLagProbe`), the log port does not know it. */
  readonly lag: Gauge<'topic' | 'partition'>;
  readonly group: string;

  constructor(
    private readonly deps: {
      log: MessageLog;
      index: SearchIndex;
      topics: string[];
      group?: string;
      logger: Logger;
      metrics: Registry;
    },
  ) {
    this.applied = new Counter({
      name: 'search_indexed_messages_total',
      help: 'Domain messages applied to the search index, by outcome',
      labelNames: ['outcome'] as const,
      registers: [deps.metrics],
    });
    this.lag = new Gauge({
      name: 'search_indexer_consumer_lag_messages',
      help: 'Messages in the log not yet committed by the search indexer group, by topic and partition',
      labelNames: ['topic', 'partition'] as const,
      registers: [deps.metrics],
    });
    this.group = deps.group ?? 'search';
  }

  async start(): Promise<void> {
    this.subscription = await this.deps.log.consume({
      group: this.group,
      topics: this.deps.topics,
      maxBatch: 500,
      handle: async (batch) => {
        for (const delivery of batch) {
          const parsed = (() => {
            try {
              return domainMessageSchema.safeParse(
                JSON.parse(Buffer.from(delivery.value).toString('utf8')),
              );
            } catch {
              return undefined;
            }
          })();
          if (!parsed?.success) {
            this.applied.inc({ outcome: 'unreadable' });
            this.deps.logger.warn(
              { topic: delivery.topic, offset: delivery.offset },
              'search: unreadable message skipped',
            );
            delivery.ack();
            continue;
          }
          const outcome = await this.deps.index.apply(parsed.data);
          this.applied.inc({ outcome: String(outcome) });
          delivery.ack();
        }
      },
    });
  }

  async stop(): Promise<void> {
    await this.subscription?.stop();
  }
}
