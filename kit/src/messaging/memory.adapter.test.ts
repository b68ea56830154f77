import { describe, expect, it } from 'vitest';
import { createMemoryLog } from './memory.adapter.js';
import { MessageLogError, type Delivery, type MessageLog } from './message-log.port.js';

const bytes = (text: string) => new TextEncoder().encode(text);
const text = (value: Uint8Array) => Buffer.from(value).toString('utf8');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function collect(log: MessageLog, group: string, topics: string[], from?: 'end') {
  const received: Delivery[] = [];
  const subscription = await log.consume({
    group,
    topics,
    ...(from ? { from } : {}),
    handle: async (batch) => {
      for (const d of batch) {
        received.push(d);
        d.ack();
      }
    },
  });
  return { received, values: () => received.map((d) => text(d.value)), subscription };
}

describe('memory message log', () => {
  it('matches NATS wildcards in consumer filters', async () => {
    const log = createMemoryLog();
    const all = await collect(log, 'all', ['platform.>']);
    const created = await collect(log, 'created', ['platform.*.created']);
    await log.publish(
      [
        'platform.registration.confirmed',
        'platform.event.created',
        'ml.model.promoted',
        'platform',
      ].map((topic) => ({ topic, key: null, value: bytes(topic), headers: {} })),
    );
    await expect.poll(() => all.received.length).toBe(2);
    await sleep(50);
    expect(all.values().sort()).toEqual([
      'platform.event.created',
      'platform.registration.confirmed',
    ]);
    expect(created.values()).toEqual(['platform.event.created']);
    await log.close();
  });

  it('delivers from a later macrotask, never inside publish', async () => {
    const log = createMemoryLog();
    const calls: string[] = [];
    await log.consume({
      group: 'g',
      topics: ['t'],
      handle: async (batch) => {
        calls.push('handler');
        for (const d of batch) d.ack();
      },
    });
    await log.publish([{ topic: 't', key: 'k', value: bytes('x'), headers: {} }]);
    calls.push('published');
    await expect.poll(() => calls).toEqual(['published', 'handler']);
    await log.close();
  });

  it('keeps only the newest messages per topic, and a lagging group resumes at the oldest kept', async () => {
    const log = createMemoryLog({ partitions: 2, maxMessagesPerTopic: 6 });
    await log.publish(
      Array.from({ length: 20 }, (_, i) => ({
        topic: 't',
        key: null,
        value: bytes(`m${i}`),
        headers: {},
      })),
    );
    const { received, values } = await collect(log, 'late', ['t']);
    await expect.poll(() => received.length).toBe(6);
    await sleep(50);
    expect(values().sort()).toEqual(['m14', 'm15', 'm16', 'm17', 'm18', 'm19']);
    expect(received.map((d) => Number(d.offset)).every((o) => o >= 7)).toBe(true);
    await log.close();
  });

  it('hands a leaving member’s partitions to the others', async () => {
    const log = createMemoryLog({ partitions: 4 });
    const a = await collect(log, 'g', ['t']);
    const b = await collect(log, 'g', ['t']);
    const send = (from: number) =>
      log.publish(
        Array.from({ length: 40 }, (_, i) => ({
          topic: 't',
          key: `k${i}`,
          value: bytes(`v${from + i}`),
          headers: {},
        })),
      );
    await send(0);
    await expect.poll(() => a.received.length + b.received.length).toBe(40);
    expect(a.received.length).toBeGreaterThan(0);
    expect(b.received.length).toBeGreaterThan(0);
    await b.subscription.stop();
    const before = a.received.length;
    await send(40);
    await expect.poll(() => a.received.length - before).toBe(40);
    expect(b.received.length).toBe(40 - before);
    await log.close();
  });

  it('forgets ids once the duplicate window has passed', async () => {
    const log = createMemoryLog({ duplicateWindowMs: 30 });
    const message = { topic: 't', key: 'k', value: bytes('x'), headers: {}, id: 'same' };
    expect((await log.publish([message]))[0]!.duplicate).toBe(false);
    expect((await log.publish([message]))[0]!.duplicate).toBe(true);
    await sleep(50);
    expect((await log.publish([message]))[0]!.duplicate).toBe(false);
    await log.close();
  });

  it('gives a group created before its topic existed the first messages, even from the end', async () => {
    const log = createMemoryLog();
    const { received } = await collect(log, 'early', ['later.topic'], 'end');
    await log.publish([{ topic: 'later.topic', key: 'k', value: bytes('first'), headers: {} }]);
    await expect.poll(() => received.length).toBe(1);
    await log.close();
  });

  it('refuses to publish to a wildcard subject, and to anything once closed', async () => {
    const log = createMemoryLog();
    const publish = (topic: string) =>
      log.publish([{ topic, key: null, value: bytes('x'), headers: {} }]);
    await expect(publish('platform.>')).rejects.toMatchObject({ code: 'invalid-name' });
    await log.close();
    await expect(publish('t')).rejects.toBeInstanceOf(MessageLogError);
  });
});
