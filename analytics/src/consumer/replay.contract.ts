import { deadLetterTopic, topics } from '@platform/contracts';
import { createMemoryLog } from '@platform/kit/messaging';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import type { AnalyticsStore } from '../store/analytics-store.port.js';
import { migrate } from '../store/migration.runner.js';
import {
  consumeTracked,
  deadLetteredIds,
  OffsetTracker,
  publishAll,
  readAll,
  readUntilIdle,
} from '../testing/pipeline.js';
import { readStoredAggregates } from '../testing/stored-aggregates.js';
import { generateStream } from '../testing/stream.generator.js';
import { openTestStore, type StoreKind } from '../testing/test-stores.js';
import { AnalyticsConsumer } from './analytics.consumer.js';
import { recomputeOffline } from './offline.recompute.js';

const logger = pino({ level: 'silent' });

/** A store that dies like a killed process: at the chosen insert, and for good afterwards. */
function mortalStore(
  store: AnalyticsStore,
  dieAt: { insert: number; after?: boolean },
): AnalyticsStore & { dead: () => boolean } {
  let inserts = 0;
  let dead = false;
  const check = () => {
    if (dead) throw new Error('the process is dead');
  };
  return {
    ...store,
    dead: () => dead,
    async insert(table, rows) {
      check();
      inserts++;
      if (inserts === dieAt.insert) {
        // Either before the server got the rows or just after it acknowledged them.
        if (dieAt.after) await store.insert(table, rows);
        dead = true;
        throw new Error(`killed during INSERT INTO ${table}`);
      }
      return store.insert(table, rows);
    },
    async query(sql, params) {
      check();
      return store.query(sql, params);
    },
  };
}

/**
 * Effectively exactly once, on each store adapter: a generated stream with out-of-order events,
 * 1% duplicates, late and too-late records, consumed by a series of processes that each die
 * mid-batch, ends with every aggregate equal to an offline recomputation from the topics.
 * (The kill -9 of a real process against real Kafka is kafka-kill.int.test.ts.)
 */
export function describeReplayContract(kind: StoreKind) {
  describe(`replay after crashes: ${kind}`, () => {
    it('after kills mid-batch and redelivery, every aggregate equals the offline recomputation', async () => {
      const own = await openTestStore(kind);
      const store = own.store;
      await migrate(store);
      const log = createMemoryLog({ partitions: 4, maxMessagesPerTopic: 1_000_000 });
      // Bursts of records from 2 hours ago (clients back online): whether such a record is too
      // late depends on the partition's watermark before it, which a restart must restore.
      const stream = generateStream({
        seed: 42,
        interactions: 20_000,
        burstRate: 0.002,
        burstSize: 100,
        // Lists of impressions: one offset, several rows, dead-lettered as a whole.
        impressionListRate: 0.2,
      });
      const ends = await publishAll(log, [...stream.domain, ...stream.interactions]);
      const group = 'replay';
      const done = new OffsetTracker();
      const subscribe = (s: AnalyticsStore) => {
        const consumer = new AnalyticsConsumer({
          log,
          store: s,
          logger,
          options: { group, maxBatch: 700, tickMs: 0 },
        });
        return consumeTracked(
          log,
          { group, topics: [topics.interactions, topics.domain], maxBatch: 700 },
          (batch) => consumer.handle(batch),
          done,
        );
      };
      const runUntilKilled = async (dieAt: { insert: number; after?: boolean }) => {
        const mortal = mortalStore(await own.reopen(), dieAt);
        const { subscription } = await subscribe(mortal);
        await expect.poll(() => mortal.dead(), { timeout: 20_000 }).toBe(true);
        await subscription.stop();
      };

      // Five processes die, each somewhere else: inside an INSERT (some of the batch's tables
      // have it, some do not), or right after ClickHouse acknowledged a batch's progress rows,
      // before the ack. A sixth finishes the stream.
      const kills = [
        { insert: 14 },
        { insert: 9, after: true },
        { insert: 7 },
        { insert: 10, after: true },
        { insert: 6 },
      ];
      const progress: bigint[] = [];
      for (const kill of kills) {
        await runUntilKilled(kill);
        progress.push([...done.handled.values()].reduce((a, b) => a + b, 0n));
      }
      const last = await subscribe(await own.reopen());
      await done.waitFor(ends);
      await last.subscription.stop();
      // Every process got some way before it died, and none reached the end.
      const total = [...ends.values()].reduce((a, b) => a + b, 0n);
      progress.forEach((p, i) => expect(p).toBeGreaterThan(i === 0 ? 0n : progress[i - 1]!));
      expect(progress.at(-1)!).toBeLessThan(total);

      const offline = recomputeOffline(
        await readAll(log, [topics.interactions, topics.domain], ends),
      );
      const stored = await readStoredAggregates(store);
      expect(offline.windows.size).toBeGreaterThan(500);
      expect(stored.windows).toEqual(offline.windows);
      expect(offline.late.size).toBeGreaterThan(50);
      expect(stored.late).toEqual(offline.late);
      expect(stored.registrations).toEqual(offline.registrations);

      // The run really had duplicates and rewrites to absorb: more raw rows than interactions.
      const [raw] = await store.query<{ rows: number; ids: number }>(
        'SELECT count() AS rows, uniqExact(id) AS ids FROM interactions',
      );
      expect(Number(raw!.rows)).toBeGreaterThan(Number(raw!.ids));

      // Every too-late interaction went to the dead letters with its reason.
      const dead = await readUntilIdle(log, [deadLetterTopic(topics.interactions)]);
      const deadLate = deadLetteredIds(dead, 'too late');
      expect(deadLate).toEqual(offline.late);
      await log.close();
      await own.drop();
    }, 60_000);
  });
}
