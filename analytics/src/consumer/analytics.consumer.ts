import { deadLetterTopic, topics } from '@platform/contracts';
import type { Logger } from 'pino';
import type { AnalyticsStore } from '../store/analytics-store.port.js';
import {
  WindowEngine,
  type WindowInput,
  type WindowOptions,
  type WindowStep,
} from '../windows/window.engine.js';
import { AnalyticsWriter, type Flush, type InteractionRow } from './analytics.writer.js';
import type { ConsumerMetrics } from './consumer.metrics.js';
import type { Delivery, MessageLog, OutgoingMessage, Subscription } from '@platform/kit/messaging';
import { parseDomainMessage, parseInteractionMessage } from './message.parser.js';

export interface AnalyticsConsumerOptions {
  /** Consumer group; default `analytics`. */
  group: string;
  /** Most deliveries per batch: one batch is one INSERT per table, so bigger batches mean fewer,
   * larger inserts (ClickHouse's preference) but longer handlers between heartbeats. */
  maxBatch: number;
  windows: Partial<WindowOptions>;
  /** How often wall-clock time alone may advance the watermark past idle partitions; 0: never. */
  tickMs: number;
  /** The topics to read; tests and benchmarks use their own. */
  topics: { interactions: string; domain: string };
}

export interface AnalyticsConsumerDeps {
  log: MessageLog;
  store: AnalyticsStore;
  logger: Logger;
  metrics?: ConsumerMetrics;
  options?: Partial<AnalyticsConsumerOptions>;
  /** Wall clock, epoch milliseconds; tests pass their own. */
  clock?: () => number;
}

const defaults: AnalyticsConsumerOptions = {
  group: 'analytics',
  maxBatch: 5_000,
  windows: {},
  tickMs: 1_000,
  topics: { interactions: topics.interactions, domain: topics.domain },
};

/** One valid interaction on its way through the windows into the raw table. */
interface InteractionRecord extends WindowInput, InteractionRow {
  delivery: Delivery;
}

interface DeadLetter {
  delivery: Delivery;
  reason: string;
  kind: 'invalid' | 'too-late';
}

const partitionKey = (topic: string, partition: number) => `${topic}:${partition}`;

/**
 * The analytics stream processor: consumes `interactions.v1` and `platform.domain.v1`, windows
 * interactions by event time, and writes raw rows, window deltas, registrations and the event
 * dimension to the analytics store.
 *
 * Effectively exactly once (README, "Exactly once"): every write is idempotent (window deltas
 * are set unions, raw rows are read by distinct id, the dimension keeps the highest revision),
 * deliveries are acked only after ClickHouse has the batch, and a partition's watermark is
 * restored from ClickHouse whenever its deliveries do not continue where this process left off
 * (start, rebalance, redelivery after a failure), so a replay judges lateness exactly as the
 * first pass did.
 */
export class AnalyticsConsumer {
  readonly engine: WindowEngine;
  private readonly options: AnalyticsConsumerOptions;
  private readonly writer: AnalyticsWriter;
  private readonly clock: () => number;
  /** Per interactions partition: the offset this process expects next. */
  private readonly expected = new Map<string, bigint>();
  private subscription: Subscription | undefined;
  private ticker: NodeJS.Timeout | undefined;

  constructor(private readonly deps: AnalyticsConsumerDeps) {
    this.options = { ...defaults, ...deps.options };
    this.engine = new WindowEngine(this.options.windows);
    this.clock = deps.clock ?? Date.now;
    const metrics = deps.metrics;
    this.writer = new AnalyticsWriter(deps.store, (table, rows, seconds) => {
      metrics?.insertedRows.inc({ table }, rows);
      metrics?.insertSeconds.observe({ table }, seconds);
    });
  }

  async start(): Promise<void> {
    this.subscription = await this.deps.log.consume({
      group: this.options.group,
      topics: [this.options.topics.interactions, this.options.topics.domain],
      maxBatch: this.options.maxBatch,
      handle: (batch) => this.handle(batch),
    });
    if (this.options.tickMs > 0) {
      this.ticker = setInterval(
        () => this.observe(this.engine.tick(this.clock())),
        this.options.tickMs,
      );
      this.ticker.unref();
    }
  }

  /** Stops consuming: waits for the batch in flight, which commits what it acked. */
  async stop(): Promise<void> {
    clearInterval(this.ticker);
    await this.subscription?.stop();
    this.subscription = undefined;
  }

  /** One batch, in log order per partition. Acks everything once ClickHouse has it. */
  async handle(batch: Delivery[]): Promise<void> {
    if (batch.length === 0) return;
    const started = performance.now();
    const now = this.clock();
    const metrics = this.deps.metrics;
    const flush: Flush = {
      interactions: [],
      deltas: [],
      registrations: [],
      events: [],
      progress: [],
    };
    const dead: DeadLetter[] = [];
    const records: InteractionRecord[] = [];
    // Counted here and added to the metrics once per batch: a labelled inc per message costs
    // more than the rest of the bookkeeping.
    const counts = new Map<string, Map<string, number>>();
    const count = (topic: string, outcome: string, n = 1) => {
      let byOutcome = counts.get(topic);
      if (!byOutcome) counts.set(topic, (byOutcome = new Map()));
      byOutcome.set(outcome, (byOutcome.get(outcome) ?? 0) + n);
    };
    const ranges = new Map<
      string,
      { topic: string; partition: number; first: string; last: string }
    >();
    const { interactions, domain } = this.options.topics;
    let range: { topic: string; partition: number; first: string; last: string } | undefined;
    let key = '';
    let valid = 0;

    for (const delivery of batch) {
      if (delivery.topic === interactions) {
        // Deliveries come in runs of one partition: find its range when the partition changes.
        if (range?.partition !== delivery.partition) {
          key = partitionKey(delivery.topic, delivery.partition);
          range = ranges.get(key);
          if (!range) {
            range = { topic: delivery.topic, partition: delivery.partition, first: '', last: '' };
            ranges.set(key, range);
          }
        }
        if (range.first === '') range.first = delivery.offset;
        range.last = delivery.offset;
        const parsed = parseInteractionMessage(delivery.value);
        if (parsed.kind === 'invalid') {
          count(delivery.topic, parsed.kind);
          dead.push({ delivery, reason: parsed.reason, kind: 'invalid' });
          continue;
        }
        valid++;
        // A list's impressions are rows of their own, all from the one delivery.
        for (const interaction of parsed.interactions) {
          records.push({
            id: interaction.interaction.id,
            type: interaction.interaction.type,
            eventId: interaction.interaction.eventId,
            userKey: interaction.userKey,
            eventTime: interaction.eventTime,
            partition: key,
            parsed: interaction,
            // A delivery is where the message came from: its partition and offset.
            source: delivery,
            late: false,
            delivery,
          });
        }
      } else if (delivery.topic === domain) {
        const parsed = parseDomainMessage(delivery.value);
        count(delivery.topic, parsed.kind);
        if (parsed.kind === 'invalid')
          dead.push({ delivery, reason: parsed.reason, kind: 'invalid' });
        else if (parsed.kind === 'event') flush.events.push(parsed);
        else if (parsed.kind === 'registration')
          flush.registrations.push({ parsed, source: delivery });
      } else {
        count(delivery.topic, 'ignored');
      }
    }
    if (valid > 0) count(interactions, 'interaction', valid);

    let step: WindowStep<InteractionRecord> | undefined;
    try {
      for (const [key, range] of ranges) {
        if (this.engine.knows(key) && this.expected.get(key) === BigInt(range.first)) continue;
        const max = await this.writer.maxEventTimeBefore(
          this.options.group,
          range.topic,
          range.partition,
          range.first,
        );
        this.engine.restore(key, max, now);
      }
      step = this.engine.process(records, now);
      // Too-late records are kept in the raw table too, flagged.
      flush.interactions = records;
      // One dead letter per delivery: a list's impressions share their time, so they are too
      // late together, and the dead letter is the list as it came.
      const invalid = dead.length;
      const tooLate = new Set<Delivery>();
      for (const late of step.late) {
        late.record.late = true;
        if (tooLate.has(late.record.delivery)) continue;
        tooLate.add(late.record.delivery);
        dead.push({ delivery: late.record.delivery, reason: late.reason, kind: 'too-late' });
      }
      flush.deltas = step.deltas;
      for (const [key, range] of ranges) {
        flush.progress.push({
          group: this.options.group,
          topic: range.topic,
          partition: range.partition,
          firstOffset: range.first,
          nextOffset: String(BigInt(range.last) + 1n),
          maxEventTime: this.engine.maxEventTimeOf(key),
          watermark: this.engine.watermarkOf(key),
        });
      }

      const writing = performance.now();
      await this.writer.write(flush);
      await this.publishDeadLetters(dead);
      this.deps.logger.debug(
        {
          deliveries: batch.length,
          deltas: flush.deltas.length,
          late: step.late.length,
          invalid,
          prepareMs: Math.round(writing - started),
          writeMs: Math.round(performance.now() - writing),
        },
        'batch written',
      );
    } catch (error) {
      // The batch comes again; its partitions' watermarks may have moved past it, so they are
      // restored from ClickHouse before the redelivery is judged.
      for (const key of ranges.keys()) {
        this.engine.forget(key);
        this.expected.delete(key);
      }
      this.deps.logger.warn(
        { err: error, deliveries: batch.length },
        'analytics batch failed; it will be redelivered',
      );
      throw error;
    }

    for (const delivery of batch) delivery.ack();
    for (const [key, range] of ranges) this.expected.set(key, BigInt(range.last) + 1n);

    if (metrics) {
      for (const d of dead) {
        metrics.deadLetters.inc({ topic: d.delivery.topic, reason: d.kind });
      }
      metrics.lateInteractions.inc({ outcome: 'accepted' }, step.acceptedLate);
      metrics.lateInteractions.inc({ outcome: 'dropped' }, step.late.length);
      for (const [topic, byOutcome] of counts) {
        for (const [outcome, n] of byOutcome) metrics.messages.inc({ topic, outcome }, n);
      }
      // Per batch, its oldest message: the one that waited longest.
      let oldest = Infinity;
      for (const d of batch) oldest = Math.min(oldest, d.timestamp.getTime());
      metrics.endToEndSeconds.observe((Date.now() - oldest) / 1000);
      metrics.batchSeconds.observe((performance.now() - started) / 1000);
    }
    this.observe(step);
  }

  private observe(step: WindowStep<WindowInput>): void {
    const metrics = this.deps.metrics;
    if (!metrics) return;
    metrics.windowsEmitted.inc(step.emitted.length);
    metrics.windowUpdates.inc(step.updated.length);
    if (step.watermark !== null) metrics.watermarkLag.set((this.clock() - step.watermark) / 1000);
  }

  private async publishDeadLetters(dead: DeadLetter[]): Promise<void> {
    if (dead.length === 0) return;
    const messages: OutgoingMessage[] = dead.map(({ delivery, reason }) => {
      const source = `${delivery.topic}:${delivery.partition}:${delivery.offset}`;
      return {
        topic: deadLetterTopic(delivery.topic),
        key: delivery.key,
        // The original bytes, so a dead letter can be fixed and replayed as it was.
        value: delivery.value,
        headers: { ...delivery.headers, 'dlq-reason': reason, 'dlq-source': source },
        // A redelivered batch publishes its dead letters again; logs that dedup by id drop them.
        id: `dlq:${source}`,
      };
    });
    await this.deps.log.publish(messages);
  }
}
