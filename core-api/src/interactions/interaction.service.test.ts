import {
  expandInteractions,
  topics,
  type InteractionInput,
  type InteractionMessage,
} from '@platform/contracts';
import { createMetricsRegistry, ServiceUnavailableError } from '@platform/kit';
import { createMemoryLog, type Delivery, type MessageLog } from '@platform/kit/messaging';
import { describe, expect, it } from 'vitest';
import { BACKGROUND_LINGER_MS, InteractionService } from './interaction.service.js';

/** The in-memory log, with the publish calls it receives counted. */
function countingLog(): { log: MessageLog; publishes: () => number } {
  const log = createMemoryLog();
  let publishes = 0;
  const publish = log.publish.bind(log);
  log.publish = (messages) => {
    publishes++;
    return publish(messages);
  };
  return { log, publishes: () => publishes };
}

const impression = (
  eventId: string,
  position: number,
  over: Partial<InteractionInput> = {},
): InteractionInput => ({
  type: 'impression',
  eventId,
  position,
  surface: 'recommendations',
  occurredAt: new Date().toISOString(),
  sessionId: 'session-1',
  ...over,
});

const messageOf = (d: Delivery) =>
  JSON.parse(Buffer.from(d.value).toString()) as InteractionMessage;

async function readAll(log: MessageLog, expected: number): Promise<Delivery[]> {
  const seen: Delivery[] = [];
  let done!: () => void;
  const all = new Promise<void>((resolve) => (done = resolve));
  const subscription = await log.consume({
    group: 'reader',
    topics: [topics.interactions],
    handle: async (batch) => {
      for (const d of batch) d.ack();
      seen.push(...batch);
      if (seen.length >= expected) done();
    },
  });
  await all;
  await subscription.stop();
  return seen;
}

describe('InteractionService', () => {
  it('sends what arrives while a publish is in flight as one publish, in arrival order', async () => {
    const { log, publishes } = countingLog();
    const service = new InteractionService({ log, metrics: createMetricsRegistry('test') });
    const calls = Array.from({ length: 50 }, (_, i) =>
      service.record(
        [impression(`e${i}`, 0), { ...impression(`e${i}`, 1), type: 'view' }],
        undefined,
      ),
    );
    const recorded = await Promise.all(calls);
    expect(recorded.flat()).toHaveLength(100);
    // The first call goes alone; the 49 that arrived meanwhile share the next publish.
    expect(publishes()).toBe(2);
    const delivered = await readAll(log, 100);
    const ids = delivered.map((d) => JSON.parse(Buffer.from(d.value).toString()).id as string);
    expect(ids).toEqual(recorded.flat().map((i) => i.id));
    await log.close();
  });

  it('sends a run of impressions seen in one list as one record, in order with the rest', async () => {
    const { log } = countingLog();
    const service = new InteractionService({ log, metrics: createMetricsRegistry('test') });
    const at = new Date().toISOString();
    const later = new Date(Date.parse(at) + 1).toISOString();
    const recorded = await service.record(
      [
        {
          type: 'click',
          eventId: 'a',
          surface: 'recommendations',
          occurredAt: at,
          sessionId: 's-1',
        },
        impression('b', 0, { occurredAt: at }),
        impression('c', 1, { occurredAt: at }),
        impression('d', 2, { occurredAt: at }),
        impression('e', 3, { occurredAt: later }),
        impression('f', 0, { occurredAt: at, surface: 'similar' }),
        impression('g', 1, { occurredAt: at, surface: 'trending' }),
        impression('h', 0, { occurredAt: at, sessionId: 'session-2' }),
        impression('i', 1, { occurredAt: at, sessionId: 'session-2' }),
      ],
      undefined,
    );
    const delivered = await readAll(log, 6);
    const messages = delivered.map(messageOf);
    expect(messages.map((m) => m.type)).toEqual([
      'click',
      'impression-list',
      'impression',
      'impression',
      'impression',
      'impression-list',
    ]);
    expect(delivered.map((d) => d.headers['message-type'])).toEqual(
      messages.map((m) => `interaction.${m.type}`),
    );
    // Expanded, the records are the interactions recorded, one for one and in order.
    expect(messages.flatMap(expandInteractions)).toEqual(
      recorded.map((r) => ({ ...r, surface: r.surface ?? null })),
    );
    expect(delivered.map((d) => d.key)).toEqual([
      's-1',
      'session-1',
      'session-1',
      'session-1',
      'session-1',
      'session-2',
    ]);
    await log.close();
  });

  it('tells every caller whose messages a failed publish carried, and goes on after it', async () => {
    const { log } = countingLog();
    const service = new InteractionService({ log, metrics: createMetricsRegistry('test') });
    const publish = log.publish.bind(log);
    let failNext = 0;
    log.publish = async (messages) => {
      if (failNext-- > 0) throw new Error('broker unavailable');
      return publish(messages);
    };
    failNext = 2; // the first publish and the batch queued behind it
    const first = service.record([impression('a', 0)], undefined);
    const queued = [
      service.record([impression('b', 0)], undefined),
      service.record([impression('c', 0)], undefined),
    ];
    await expect(first).rejects.toBeInstanceOf(ServiceUnavailableError);
    for (const call of queued) await expect(call).rejects.toBeInstanceOf(ServiceUnavailableError);
    const later = await service.record([impression('d', 0)], undefined);
    expect(later).toHaveLength(1);
    const delivered = await readAll(log, 1);
    expect(delivered).toHaveLength(1);
    expect(JSON.parse(Buffer.from(delivered[0]!.value).toString()).eventId).toBe('d');
    await log.close();
  });

  it('lets background interactions linger to share one publish, and counts their failures', async () => {
    const { log, publishes } = countingLog();
    const metrics = createMetricsRegistry('test');
    const service = new InteractionService({ log, metrics });
    for (let i = 0; i < 20; i++) service.recordInBackground([impression(`e${i}`, 0)], undefined);
    expect(publishes()).toBe(0);
    const delivered = await readAll(log, 20);
    expect(delivered).toHaveLength(20);
    expect(publishes()).toBe(1);

    log.publish = async () => {
      throw new Error('broker unavailable');
    };
    const failed = await new Promise<unknown>((resolve) =>
      service.recordInBackground([impression('x', 0)], undefined, resolve),
    );
    expect(failed).toBeInstanceOf(ServiceUnavailableError);
    const text = await metrics.metrics();
    expect(text).toMatch(/^interactions_rejected_total\{reason="unavailable",[^}]*\} 1$/m);
    await log.close();
  });

  it('gives background records arriving during a publish their linger, not the next publish', async () => {
    const { log, publishes } = countingLog();
    const publish = log.publish.bind(log);
    // A produce that takes 10 ms: a batch sent as soon as the last was stored would go every 10.
    log.publish = async (messages) => {
      await new Promise((resolve) => setTimeout(resolve, 10));
      return publish(messages);
    };
    const service = new InteractionService({ log, metrics: createMetricsRegistry('test') });
    const sent = Math.ceil((2.5 * BACKGROUND_LINGER_MS) / 5);
    for (let i = 0; i < sent; i++) {
      service.recordInBackground([impression(`e${i}`, 0)], undefined);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    await service.drain();
    expect((await readAll(log, sent)).length).toBe(sent);
    // About one publish per linger over 2.5 lingers, and the drain's.
    expect(publishes()).toBeGreaterThanOrEqual(2);
    expect(publishes()).toBeLessThanOrEqual(5);
    await log.close();
  });

  it('drains at shutdown: what lingers is published at once and drain waits for it', async () => {
    const { log, publishes } = countingLog();
    const service = new InteractionService({ log, metrics: createMetricsRegistry('test') });
    for (let i = 0; i < 3; i++) service.recordInBackground([impression(`e${i}`, 0)], undefined);
    expect(publishes()).toBe(0);
    await service.drain();
    expect(publishes()).toBe(1);
    expect(await readAll(log, 3)).toHaveLength(3);
    await service.drain();
    expect(publishes()).toBe(1);
    await log.close();
  });
});
