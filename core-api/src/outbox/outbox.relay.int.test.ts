import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { streams, streamSpec } from '@platform/contracts';
import { createLogger, createMetricsRegistry, localDefaults } from '@platform/kit';
import { createNatsLog, type MessageLog } from '@platform/kit/messaging';
import { describe, expect, it } from 'vitest';
import { futureEvent, TestClient, uniqueEmail } from '../testing/client.js';
import { startTestApi } from '../testing/harness.js';
import { OutboxRelay } from './outbox.relay.js';
import { relaySpec } from './outbox.relay.spec.js';

const logger = createLogger({ service: 'relay-int-test', level: 'silent' });
const natsUrl = process.env.NATS_URL ?? localDefaults.natsUrl;
const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

const openNats = async (): Promise<MessageLog> =>
  createNatsLog({
    url: natsUrl,
    name: 'relay-int-test',
    streams: [streamSpec(streams.platform)],
    logger,
  });

relaySpec({
  backend: 'postgres',
  openLog: async () => {
    const log = await openNats();
    return { log, subjectPrefix: 'platform', close: () => log.close() };
  },
});

const services = (action: 'up' | 'down', server: string) => {
  const run = spawnSync('bash', ['infra/local/services.sh', action, server], {
    cwd: repoRoot,
    encoding: 'utf8',
  });
  if (run.status !== 0) throw new Error(`services.sh ${action} ${server} failed:\n${run.stderr}`);
};

describe('outbox relay with NATS down for a minute (PostgreSQL, real JetStream)', () => {
  it('loses nothing while registrations continue, reports the backlog, and drains it after recovery', async () => {
    const api = await startTestApi('postgres');
    const log = await openNats();
    const metrics = createMetricsRegistry('relay-outage');
    const relay = new OutboxRelay({
      db: api.db,
      sql: api.sql,
      log,
      logger,
      metrics,
      pollIntervalMs: 1_000,
    });
    await relay.start();
    const organizer = new TestClient(api.base);
    await organizer.signUp(uniqueEmail('organizer'));
    const event = (await organizer.post('/v1/events', futureEvent({ capacity: 20 }))).body as {
      id: string;
    };
    await organizer.post(`/v1/events/${event.id}/publish`);
    try {
      await expect.poll(async () => (await relay.stats()).backlog, { timeout: 10_000 }).toBe(0);
      services('down', 'nats');
      const until = Date.now() + 60_000;
      let registered = 0;
      while (Date.now() < until) {
        const person = new TestClient(api.base);
        await person.signUp(uniqueEmail());
        expect((await person.post(`/v1/events/${event.id}/registrations`)).status).toBe(201);
        registered++;
        await new Promise((r) => setTimeout(r, 1_000));
      }
      const during = await relay.stats();
      expect(during.backlog).toBe(registered);
      expect(await metrics.getSingleMetricAsString('outbox_backlog_messages')).toMatch(
        new RegExp(`outbox_backlog_messages\\{[^}]*\\} ${registered}$`, 'm'),
      );
      services('up', 'nats');
      await expect
        .poll(async () => (await relay.stats()).backlog, { timeout: 60_000, interval: 500 })
        .toBe(0);

      // Everything the outbox holds for the event is in the stream, each exactly once.
      const rows = await api.db
        .selectFrom('outbox')
        .select('id')
        .where('aggregate_id', '=', event.id)
        .orderBy('seq')
        .execute();
      const seen: string[] = [];
      const sub = await log.consume({
        group: `outage-check-${Date.now()}`,
        topics: ['platform.>'],
        handle: async (batch) => {
          for (const d of batch) {
            const m = JSON.parse(Buffer.from(d.value).toString()) as {
              id: string;
              aggregateId: string;
            };
            if (m.aggregateId === event.id) seen.push(m.id);
            d.ack();
          }
        },
      });
      await expect.poll(() => seen.length, { timeout: 20_000 }).toBe(rows.length);
      await new Promise((r) => setTimeout(r, 500));
      await sub.stop();
      expect(seen).toEqual(rows.map((r) => r.id));
    } finally {
      services('up', 'nats');
      await relay.stop();
      await log.close();
      await api.close();
    }
  }, 240_000);
});
