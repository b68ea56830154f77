import { randomUUID } from 'node:crypto';
import { createClient } from '@clickhouse/client';
import { Client as Elastic } from '@elastic/elasticsearch';
import { connectNats, createKafka, createLogger, createRedis, localDefaults } from '@platform/kit';
import { createPgDatabase } from '@platform/kit/sql';
import { AckPolicy, StringCodec } from 'nats';
import { describe, expect, it } from 'vitest';

/**
 * Smoke test: each real server `npm run services:up` starts answers through the client library
 * the product uses. A missing server fails here; nothing is skipped.
 */
const logger = createLogger({ service: 'smoke', level: 'silent' });
const run = randomUUID().slice(0, 8);

describe('real servers through the product clients', () => {
  it('PostgreSQL 15 via pg', async () => {
    const db = createPgDatabase({ url: process.env.DATABASE_URL ?? localDefaults.databaseUrl });
    try {
      const { rows } = await db.query<{ v: number }>('SELECT current_setting($1)::int AS v', [
        'server_version_num',
      ]);
      expect(Math.floor(rows[0]!.v / 10_000)).toBe(15);
    } finally {
      await db.close();
    }
  });

  it('Redis 7 via ioredis', async () => {
    const redis = createRedis(process.env.REDIS_URL ?? localDefaults.redisUrl);
    try {
      await redis.set(`smoke:${run}`, 'ok', 'EX', 10);
      expect(await redis.get(`smoke:${run}`)).toBe('ok');
      const info = await redis.info('server');
      expect(info).toMatch(/redis_version:7\./);
    } finally {
      await redis.quit();
    }
  });

  it('NATS with JetStream via nats', async () => {
    const nc = await connectNats(process.env.NATS_URL ?? localDefaults.natsUrl, 'smoke');
    try {
      const jsm = await nc.jetstreamManager();
      const stream = `SMOKE_${run}`;
      await jsm.streams.add({ name: stream, subjects: [`smoke.${run}.>`] });
      const js = nc.jetstream();
      const sc = StringCodec();
      const ack = await js.publish(`smoke.${run}.hello`, sc.encode('hi'), { msgID: 'one' });
      const dup = await js.publish(`smoke.${run}.hello`, sc.encode('hi'), { msgID: 'one' });
      expect(ack.seq).toBe(1);
      expect(dup.duplicate).toBe(true);
      await jsm.consumers.add(stream, { durable_name: 'smoke', ack_policy: AckPolicy.Explicit });
      const consumer = await js.consumers.get(stream, 'smoke');
      const msg = await consumer.next({ expires: 5_000 });
      expect(msg && sc.decode(msg.data)).toBe('hi');
      msg?.ack();
      await jsm.streams.delete(stream);
    } finally {
      await nc.drain();
    }
  });

  it('Kafka 3.9 in KRaft mode via kafkajs', async () => {
    const kafka = createKafka({
      brokers: process.env.KAFKA_BROKERS?.split(',') ?? [...localDefaults.kafkaBrokers],
      clientId: 'smoke',
      logger,
    });
    const topic = `smoke-${run}`;
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
    const producer = kafka.producer({ idempotent: true });
    await producer.connect();
    await producer.send({
      topic,
      acks: -1,
      messages: [{ key: 'k', value: 'v', headers: { origin: 'smoke' } }],
    });
    const consumer = kafka.consumer({ groupId: `smoke-${run}` });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    const received = new Promise<{ value: string; origin: string }>((resolve) => {
      void consumer.run({
        eachMessage: async ({ message }) =>
          resolve({ value: String(message.value), origin: String(message.headers?.origin) }),
      });
    });
    expect(await received).toEqual({ value: 'v', origin: 'smoke' });
    await consumer.disconnect();
    await producer.disconnect();
    await admin.deleteTopics({ topics: [topic] });
    await admin.disconnect();
  });

  it('ClickHouse server via @clickhouse/client', async () => {
    const ch = createClient({ url: process.env.CLICKHOUSE_URL ?? localDefaults.clickhouseUrl });
    const table = `smoke_${run}`;
    try {
      const version = await (
        await ch.query({ query: 'SELECT version() AS v', format: 'JSONEachRow' })
      ).json<{ v: string }>();
      expect(version[0]!.v).toMatch(/^\d+\./);
      await ch.command({
        query: `CREATE TABLE ${table} (id UInt32, name String) ENGINE = MergeTree ORDER BY id`,
      });
      await ch.insert({
        table,
        values: [
          { id: 1, name: 'a' },
          { id: 2, name: 'b' },
        ],
        format: 'JSONEachRow',
      });
      const rows =
        await // ClickHouse 18.16 has no server-side query parameters ({name:Type}); they came in 19.x.
        (
          await ch.query({
            query: `SELECT count() AS n, any(name) AS name FROM ${table} WHERE id = 2`,
            format: 'JSONEachRow',
          })
        ).json<{ n: string | number; name: string }>();
      expect(Number(rows[0]!.n)).toBe(1);
      expect(rows[0]!.name).toBe('b');
    } finally {
      await ch.command({ query: `DROP TABLE IF EXISTS ${table}` });
      await ch.close();
    }
  });

  it('Elasticsearch 8 via @elastic/elasticsearch', async () => {
    const es = new Elastic({
      node: process.env.ELASTICSEARCH_URL ?? localDefaults.elasticsearchUrl,
    });
    const index = `smoke-${run}`;
    try {
      // The integ-test-zip lacks the rest-root module, so `GET /` (es.info) is not there.
      const nodes = await es.nodes.info({ metric: 'os' });
      expect(Object.values(nodes.nodes)[0]?.version).toMatch(/^8\./);
      await es.index({ index, id: '1', document: { title: 'Jazz by the river' }, refresh: true });
      const result = await es.search<{ title: string }>({
        index,
        query: { match: { title: 'jazz' } },
      });
      expect(result.hits.hits[0]?._source?.title).toBe('Jazz by the river');
    } finally {
      await es.indices.delete({ index, ignore_unavailable: true });
      await es.close();
    }
  });

  it('Prometheus via its HTTP API', async () => {
    const base = process.env.PROMETHEUS_URL ?? localDefaults.prometheusUrl;
    const res = await fetch(
      `${base}/api/v1/query?query=${encodeURIComponent('up{job="prometheus"}')}`,
    );
    expect(res.status).toBe(200);
    const body = (await res.json()) as { status: string; data: { result: unknown[] } };
    expect(body.status).toBe('success');
    await expect
      .poll(
        async () =>
          (
            (await (await fetch(`${base}/api/v1/query?query=up`)).json()) as {
              data: { result: unknown[] };
            }
          ).data.result.length,
        { timeout: 20_000, interval: 1_000 },
      )
      .toBeGreaterThan(0);
  });
});
