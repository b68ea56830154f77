import {
  anyEnvelopeSchema,
  domainMessageSchema,
  streams,
  type CapacityUpdate,
} from '@platform/contracts';
import { Gauge, newId, type Logger, type Registry } from '@platform/kit';
import type { MessageLog, Subscription } from '@platform/kit/messaging';

export type { CapacityUpdate } from '@platform/contracts';

type Listener = (update: CapacityUpdate) => void;

/**
 * Fans domain messages from the NATS side out to the SSE connections of this process. Every API
 * instance reads every message (its own consumer group, starting at the end of the stream), keeps
 * the newest state of the events someone is watching, and drops anything older than what a
 * listener already has: registration messages carry the event revision they produced.
 */
export class LiveHub {
  private readonly listeners = new Map<string, Set<Listener>>();
  private readonly latest = new Map<string, CapacityUpdate>();
  private subscription: Subscription | undefined;
  private readonly connections: Gauge;

  constructor(
    private readonly deps: {
      log: MessageLog;
      logger: Logger;
      metrics: Registry;
      instanceId?: string;
    },
  ) {
    this.connections = new Gauge({
      name: 'live_connections',
      help: 'Open Server-Sent Events connections',
      registers: [deps.metrics],
      collect: () => {
        let n = 0;
        for (const set of this.listeners.values()) n += set.size;
        this.connections.set(n);
      },
    });
  }

  async start(): Promise<void> {
    this.subscription = await this.deps.log.consume({
      group: `live-${this.deps.instanceId ?? newId()}`,
      topics: [...streams.platform.subjects],
      from: 'end',
      handle: async (batch) => {
        for (const delivery of batch) {
          this.receive(delivery.value);
          delivery.ack();
        }
      },
    });
  }

  async stop(): Promise<void> {
    await this.subscription?.stop();
  }

  /** Listen to one event; returns the unsubscribe function. */
  subscribe(eventId: string, listener: Listener): () => void {
    let set = this.listeners.get(eventId);
    if (!set) this.listeners.set(eventId, (set = new Set()));
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0) {
        this.listeners.delete(eventId);
        this.latest.delete(eventId);
      }
    };
  }

  private receive(value: Uint8Array): void {
    let parsed;
    try {
      const envelope = anyEnvelopeSchema.parse(JSON.parse(Buffer.from(value).toString('utf8')));
      parsed = domainMessageSchema.safeParse(envelope);
    } catch (error) {
      this.deps.logger.warn({ err: error }, 'live: unreadable message skipped');
      return;
    }
    if (!parsed.success) return;
    const message = parsed.data;
    let update: CapacityUpdate | undefined;
    if (message.type.startsWith('registration.')) {
      const d = message.data as {
        eventId: string;
        eventRevision: number;
        capacity: number;
        confirmedCount: number;
        waitlistCount: number;
      };
      update = {
        eventId: d.eventId,
        revision: d.eventRevision,
        capacity: d.capacity,
        confirmedCount: d.confirmedCount,
        waitlistCount: d.waitlistCount,
        status: this.latest.get(d.eventId)?.status ?? 'published',
      };
    } else if (message.type.startsWith('event.')) {
      const d = message.data as {
        id: string;
        revision: number;
        capacity: number;
        confirmedCount: number;
        waitlistCount: number;
        status: CapacityUpdate['status'];
      };
      update = {
        eventId: d.id,
        revision: d.revision,
        capacity: d.capacity,
        confirmedCount: d.confirmedCount,
        waitlistCount: d.waitlistCount,
        status: d.status,
      };
    }
    if (!update) return;
    const listeners = this.listeners.get(update.eventId);
    if (!listeners) return;
    const known = this.latest.get(update.eventId);
    if (known && known.revision >= update.revision) return;
    this.latest.set(update.eventId, update);
    for (const listener of listeners) listener(update);
  }
}
