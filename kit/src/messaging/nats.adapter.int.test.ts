import { randomBytes } from 'node:crypto';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { connectNats } from '../clients/clients.js';
import { localDefaults } from '../config/config.js';
import { createNatsLog } from './nats.adapter.js';
import { MessageLogError, type Delivery } from './message-log.port.js';

const natsUrl = process.env.NATS_URL ?? localDefaults.natsUrl;
const logger = pino({ level: process.env.LOG_LEVEL ?? 'silent' });
const bytes = (text: string) => new TextEncoder().encode(text);
const poll = { timeout: 10_000, interval: 20 };

describe('NATS JetStream message log', () => {
  const run = randomBytes(4).toString('hex');
  const stream = `NATS_ADAPTER_${run}`;
  const subject = (suffix: string) => `nats-adapter.${run}.${suffix}`;
  const open = (subjects = [`nats-adapter.${run}.>`]) =>
    createNatsLog({
      url: natsUrl,
      name: `nats-adapter-${run}`,
      streams: [{ name: stream, subjects }],
      logger,
    });

  afterAll(async () => {
    const nc = await connectNats(natsUrl, `nats-adapter-cleanup-${run}`);
    await (await nc.jetstreamManager()).streams.delete(stream);
    await nc.close();
  });

  it('keeps messages as long as the stream spec says, and updates an existing stream to it', async () => {
    const name = `${stream}_AGE`;
    const spec = { name, subjects: [`nats-adapter-age.${run}.>`] };
    const nc = await connectNats(natsUrl, `nats-adapter-age-${run}`);
    const jsm = await nc.jetstreamManager();
    const maxAge = async () => (await jsm.streams.info(name)).config.max_age;
    try {
      await (
        await createNatsLog({
          url: natsUrl,
          name: `age-${run}`,
          streams: [{ ...spec, maxAgeMs: 3_600_000 }],
          logger,
        })
      ).close();
      expect(await maxAge()).toBe(3_600_000 * 1e6);
      await (
        await createNatsLog({
          url: natsUrl,
          name: `age-${run}`,
          streams: [{ ...spec, maxAgeMs: 7 * 86_400_000 }],
          logger,
        })
      ).close();
      expect(await maxAge()).toBe(7 * 86_400_000 * 1e6);
    } finally {
      await jsm.streams.delete(name);
      await nc.close();
    }
  });

  it('creates a stream once and updates its subjects in place', async () => {
    const first = await open();
    await first.close();
    const second = await open([`nats-adapter.${run}.>`, `nats-adapter-extra.${run}.>`]);
    const [result] = await second.publish([
      { topic: `nats-adapter-extra.${run}.x`, key: null, value: bytes('x'), headers: {} },
    ]);
    expect(result!.partition).toBe(0);
    await second.close();
  });

  it('fails a publish to a subject no stream captures with a typed error', async () => {
    const log = await open();
    const error = await log
      .publish([{ topic: `nowhere.${run}`, key: null, value: bytes('x'), headers: {} }])
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MessageLogError);
    expect((error as MessageLogError).code).toBe('no-stream');
    await log.close();
  });

  it('pipelines a large publish and reports consecutive stream sequences', async () => {
    const log = await open();
    const results = await log.publish(
      Array.from({ length: 3_000 }, (_, i) => ({
        topic: subject('bulk'),
        key: `k${i % 10}`,
        value: bytes(`m${i}`),
        headers: {},
      })),
    );
    const offsets = results.map((r) => Number(r.offset));
    expect(offsets.every((o, i) => i === 0 || o === offsets[i - 1]! + 1)).toBe(true);
    await log.close();
  });

  it('shares a small publish window between concurrent publishes, each in order with its own results', async () => {
    const log = await createNatsLog({
      url: natsUrl,
      name: `nats-adapter-${run}-window`,
      streams: [{ name: stream, subjects: [`nats-adapter.${run}.>`] }],
      logger,
      publishWindow: 16,
    });
    const batch = (name: string) =>
      Array.from({ length: 500 }, (_, i) => ({
        topic: subject(name),
        key: `k${i % 7}`,
        value: bytes(`${name}${i}`),
        headers: { n: String(i) },
        id: `${run}-${name}-${i}`,
      }));
    const [a, b] = await Promise.all([log.publish(batch('a')), log.publish(batch('b'))]);
    for (const results of [a, b]) {
      const offsets = results.map((r) => Number(r.offset));
      expect(offsets.every((o, i) => i === 0 || o > offsets[i - 1]!)).toBe(true);
      expect(results.every((r) => !r.duplicate && r.partition === 0)).toBe(true);
    }
    const again = await log.publish(batch('a').slice(0, 3));
    expect(again.map((r) => r.duplicate)).toEqual([true, true, true]);
    expect(again.map((r) => r.offset)).toEqual(a.slice(0, 3).map((r) => r.offset));
    await log.close();
  });

  it('filters with wildcards, one durable consumer per filter when there are several', async () => {
    const log = await open();
    const received: Delivery[] = [];
    const subscription = await log.consume({
      group: `multi-${run}`,
      topics: [subject('event.*'), subject('registration.>')],
      handle: async (batch) => {
        for (const d of batch) {
          received.push(d);
          d.ack();
        }
      },
    });
    await log.publish(
      ['event.created', 'registration.confirmed', 'other.thing', 'registration.a.b'].map((s) => ({
        topic: subject(s),
        key: null,
        value: bytes(s),
        headers: {},
      })),
    );
    await expect.poll(() => received.length, poll).toBe(3);
    expect(received.map((d) => d.topic).sort()).toEqual([
      subject('event.created'),
      subject('registration.a.b'),
      subject('registration.confirmed'),
    ]);
    const nc = await connectNats(natsUrl, `nats-adapter-inspect-${run}`);
    const consumers = await (await nc.jetstreamManager()).consumers.list(stream).next();
    const names = consumers.map((c) => c.name).filter((n) => n.startsWith(`multi-${run}`));
    expect(names).toHaveLength(2);
    expect(names.every((n) => /^multi-[0-9a-f]+_[0-9a-f]{10}$/.test(n))).toBe(true);
    await nc.close();
    await subscription.stop();
    await log.close();
  });

  it('refuses a group whose durable consumer filters another subject', async () => {
    const log = await open();
    const handle = async (batch: Delivery[]) => batch.forEach((d) => d.ack());
    const first = await log.consume({ group: `conflict-${run}`, topics: [subject('a')], handle });
    await first.stop();
    await expect(
      log.consume({ group: `conflict-${run}`, topics: [subject('b')], handle }),
    ).rejects.toMatchObject({ code: 'consumer-conflict' });
    await log.close();
  });
});
