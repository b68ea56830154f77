import type { Logger } from '@platform/kit';
import type { Delivery, MessageLog, OutgoingMessage, Subscription } from '@platform/kit/messaging';
import type { BridgeSettings } from '../mappings/mapping.config.js';
import type { RouteMetrics } from './bridge.metrics.js';
import { deadLetterFor, planDelivery, type Plan, type Route } from './forward.plan.js';

export interface BridgePipeDeps {
  route: Route;
  source: MessageLog;
  target: MessageLog;
  settings: BridgeSettings;
  logger: Logger;
  metrics: RouteMetrics;
  /** How long stop() lets a send in flight finish before leaving its messages unacknowledged
   * (they come again after a restart). Default 10 s. */
  drainTimeoutMs?: number;
}

export interface PipeStats {
  inFlight: number;
  /** Most messages held unacknowledged at once since the start. */
  peakInFlight: number;
  forwarded: number;
  deadLettered: number;
  skipped: number;
}

class Abandoned extends Error {}

/**
 * One mapping, one direction: consumes the source with its consumer group and sends each batch to
 * the other side as one publish, acknowledging the source only once the other side has stored it.
 *
 * Order: a batch is retried in place, never nak'ed, so nothing behind it overtakes it; the source
 * hands out the next batch only when this one is done (JetStream keeps the messages alive
 * meanwhile, Kafka keeps heartbeating). Several members of the group (`route.members`) run side
 * by side, each on its own partitions. In flight are at most `batchSize` messages per member.
 *
 * Failures: a message the mapping cannot forward (invalid payload, no key, headers the other side
 * refuses) goes to the dead letters at once, in its place in the batch. A batch whose send fails is
 * retried with backoff; once a message in it has failed `maxDeliveries` times (counting earlier
 * deliveries), the batch is sent one message at a time, and a message that fails alone goes to the
 * dead letters with the last error. Dead letters live on the other side, so an outage there fails
 * them too: the message is then retried rather than diverted, and nothing is dead-lettered for
 * the other side being down.
 */
export class BridgePipe {
  private readonly subscriptions: Subscription[] = [];
  private readonly sleepers = new Set<() => void>();
  private stopping: Promise<void> | undefined;
  private abandon: (() => void) | undefined;
  private readonly abandoned: Promise<never>;
  private readonly stats: PipeStats = {
    inFlight: 0,
    peakInFlight: 0,
    forwarded: 0,
    deadLettered: 0,
    skipped: 0,
  };

  constructor(private readonly deps: BridgePipeDeps) {
    this.abandoned = new Promise<never>((_, reject) => {
      this.abandon = () => reject(new Abandoned('stopped before the other side answered'));
    });
    this.abandoned.catch(() => undefined);
  }

  get route(): Route {
    return this.deps.route;
  }

  async start(): Promise<void> {
    const { route, settings } = this.deps;
    for (let i = 0; i < route.members; i++)
      this.subscriptions.push(
        await this.deps.source.consume({
          group: route.group,
          topics: route.sources,
          from: route.from,
          maxBatch: settings.batchSize,
          handle: (batch) => this.handle(batch),
        }),
      );
    this.deps.logger.info(
      {
        mapping: route.name,
        direction: route.direction,
        sources: route.sources,
        target: route.target,
        group: route.group,
      },
      'mapping started',
    );
  }

  /** Stops taking messages, lets the batches in flight finish (within the drain timeout) and
   * commits what was acknowledged. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      for (const wake of this.sleepers) wake();
      const timer = setTimeout(() => this.abandon?.(), this.deps.drainTimeoutMs ?? 10_000);
      try {
        await Promise.all(this.subscriptions.map((s) => s.stop()));
      } finally {
        clearTimeout(timer);
      }
    })();
    return this.stopping;
  }

  snapshot(): PipeStats {
    return { ...this.stats };
  }

  private async handle(batch: Delivery[]): Promise<void> {
    const { metrics } = this.deps;
    this.stats.inFlight += batch.length;
    this.stats.peakInFlight = Math.max(this.stats.peakInFlight, this.stats.inFlight);
    metrics.inFlight.inc(batch.length);
    try {
      await this.process(
        batch.map((d) => planDelivery(this.deps.route, this.deps.settings.name, d)),
      );
    } catch (error) {
      // Only a stop ends up here; what was not acked comes again after the restart.
      if (!(error instanceof Abandoned)) throw error;
    } finally {
      this.stats.inFlight -= batch.length;
      metrics.inFlight.dec(batch.length);
    }
  }

  private async process(plans: Plan[]): Promise<void> {
    const { settings } = this.deps;
    const sends = plans.filter((p) => p.kind !== 'skip');
    if (sends.length === 0) {
      this.settle(plans);
      return;
    }
    let failures = 0;
    for (;;) {
      try {
        await this.send(sends.map((p) => p.message));
        this.settle(plans);
        return;
      } catch (error) {
        if (error instanceof Abandoned) throw error;
        failures++;
        this.failed(error, sends.length, failures);
        // Stopping: no new attempt; the source gives the batch to the next run.
        if (this.stopping) return;
        const exhausted = sends.some(
          (p) => p.delivery.deliveryCount - 1 + failures >= settings.maxDeliveries,
        );
        if (exhausted) break;
        await this.sleep(this.backoff(failures));
      }
    }
    // Find the message that fails, in order, so only it goes to the dead letters.
    for (const plan of plans) if (!(await this.sendAlone(plan, failures))) return;
  }

  /** Sends one plan on its own until it is stored or dead-lettered; false when stopping. */
  private async sendAlone(plan: Plan, earlierFailures: number): Promise<boolean> {
    if (plan.kind === 'skip') {
      this.settle([plan]);
      return true;
    }
    const { route, settings } = this.deps;
    for (let attempt = 1; ; attempt++) {
      // Already failing: while stopping, leave the rest to the next run.
      if (this.stopping) return false;
      try {
        await this.send([plan.message]);
        this.settle([plan]);
        return true;
      } catch (error) {
        if (error instanceof Abandoned) throw error;
        this.failed(error, 1, attempt);
        const failures = plan.delivery.deliveryCount - 1 + earlierFailures + attempt;
        if (plan.kind === 'forward' && failures >= settings.maxDeliveries) {
          const reason = `${failures} sends failed, the last with: ${describe(error)}`;
          const dead: Plan = {
            kind: 'dead',
            delivery: plan.delivery,
            cause: 'undeliverable',
            message: deadLetterFor(route, settings.name, plan.delivery, reason),
          };
          try {
            await this.send([dead.message]);
            this.settle([dead]);
            return true;
          } catch (deadError) {
            if (deadError instanceof Abandoned) throw deadError;
            this.failed(deadError, 1, attempt);
          }
        }
        await this.sleep(this.backoff(attempt));
      }
    }
  }

  /** Publishes to the other side; once stop() has waited long enough, gives up on the answer. */
  private send(messages: OutgoingMessage[]) {
    this.deps.metrics.batchSize.observe(messages.length);
    return Promise.race([this.deps.target.publish(messages), this.abandoned]);
  }

  /** Acknowledges plans whose outcome the other side has stored, and counts them. */
  private settle(plans: Plan[]): void {
    const { metrics } = this.deps;
    const now = Date.now();
    let forwarded = 0;
    let bytes = 0;
    let skipped = 0;
    for (const plan of plans) {
      if (plan.kind === 'forward') {
        forwarded++;
        bytes += plan.message.value.byteLength;
        metrics.latency.observe(Math.max(0, now - plan.delivery.timestamp.getTime()) / 1000);
      } else if (plan.kind === 'dead') {
        this.stats.deadLettered++;
        metrics.deadLettered.inc();
        metrics.deadLetters(plan.cause).inc();
        this.deps.logger.warn(
          {
            mapping: this.deps.route.name,
            source: plan.message.headers['dlq-source'],
            deadLetter: plan.message.topic,
            reason: plan.message.headers['dlq-reason'],
          },
          'message sent to the dead letters',
        );
      } else skipped++;
      plan.delivery.ack();
    }
    this.stats.forwarded += forwarded;
    this.stats.skipped += skipped;
    if (forwarded > 0) {
      metrics.forwarded.inc(forwarded);
      metrics.bytes.inc(bytes);
    }
    if (skipped > 0) metrics.skipped.inc(skipped);
  }

  private failed(error: unknown, messages: number, attempt: number): void {
    this.deps.metrics.sendFailures.inc();
    this.deps.logger.warn(
      {
        mapping: this.deps.route.name,
        target: this.deps.route.target,
        messages,
        attempt,
        err: error,
      },
      'send to the other side failed; retrying',
    );
  }

  private backoff(attempt: number): number {
    const { initialMs, maxMs } = this.deps.settings.retry;
    return Math.min(maxMs, initialMs * 2 ** Math.min(30, attempt - 1));
  }

  /** Waits, or less when stop() is called. */
  private sleep(ms: number): Promise<void> {
    if (this.stopping) return Promise.resolve();
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.sleepers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.sleepers.add(wake);
    });
  }
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';
  return `${error.message}${cause}`;
}
