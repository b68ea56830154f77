import { topics } from '@platform/contracts';
import { createLogger } from '@platform/kit';
import { createMemoryLog } from '@platform/kit/messaging';
import { AnalyticsConsumer, migrate, type AnalyticsStore } from '@platform/analytics';
import {
  consumeTracked,
  generateStream,
  openTestStore,
  publishAll,
  type StoreKind,
  type TestStore,
} from '@platform/analytics/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { panelQueries, readDashboardFiles, variableQueries } from './dashboard-files.js';
import { expandClickHouseQuery, type QueryContext } from './grafana-queries.js';

/**
 * Every ClickHouse query of the dashboards (panels and variables), expanded the way Grafana's
 * ClickHouse plugin expands it, runs on a store seeded through the real analytics consumer and
 * returns rows: with every variable on All, and with one city and one category selected. Run on
 * chdb (`clickhouse-panels.test.ts`, `npm test`) and on the ClickHouse server, 18.16 here
 * (`clickhouse-panels.int.test.ts`).
 */
const files = readDashboardFiles();
const panels = panelQueries(files).filter((q) => q.datasource === 'clickhouse');
const variables = variableQueries(files).filter((v) => v.datasource === 'clickhouse');

const start = Date.parse('2024-06-01T10:00:00Z');
/** Three hours of event time: 3,000 interactions 3.6 s apart, with registrations among them. */
const stream = generateStream({
  seed: 7,
  interactions: 3_000,
  spacingMs: 3_600,
  events: 12,
  users: 60,
  sessions: 80,
  registrationsPerEvent: 4,
});

export function describeClickHousePanels(kind: StoreKind) {
  describe(`dashboard ClickHouse queries on ${kind}`, () => {
    let t: TestStore;
    let store: AnalyticsStore;
    const range = { from: new Date(start - 10 * 60_000), to: new Date(start + 3.5 * 3_600_000) };
    const contexts: Record<'all' | 'selected', QueryContext> = {
      all: { ...range, intervalMs: 300_000, variables: {} },
      selected: { ...range, intervalMs: 300_000, variables: {} },
    };

    beforeAll(async () => {
      t = await openTestStore(kind);
      store = t.store;
      await migrate(store);
      const log = createMemoryLog({ partitions: 4 });
      const ends = await publishAll(log, [...stream.domain, ...stream.interactions]);
      const consumer = new AnalyticsConsumer({
        log,
        store,
        logger: createLogger({ service: 'panels-test', level: 'silent' }),
        options: { group: 'panels', maxBatch: 1_000, tickMs: 0 },
      });
      const { subscription, tracker } = await consumeTracked(
        log,
        { group: 'panels', topics: [topics.interactions, topics.domain], maxBatch: 1_000 },
        (batch) => consumer.handle(batch),
      );
      await tracker.waitFor(ends);
      await subscription.stop();
      await log.close();

      // The variables' options, from their own queries; "selected" picks a real event's city
      // and category so every filtered panel has something to show.
      for (const v of variables) {
        const rows = await store.query<Record<string, string>>(
          expandClickHouseQuery(v.query, contexts.all),
        );
        const options = rows.map((r) => Object.values(r)[0]!);
        contexts.all.variables[v.name] = { selected: [], all: true, options };
      }
      const [event] = await store.query<{ city: string; category: string }>(
        `SELECT city, category FROM event_dimension_latest ORDER BY event_id LIMIT 1`,
      );
      for (const v of variables) {
        const value = v.name === 'city' ? event!.city : event!.category;
        contexts.selected.variables[v.name] = {
          selected: [value],
          all: false,
          options: contexts.all.variables[v.name]!.options,
        };
      }
    }, 120_000);
    afterAll(() => t?.drop());

    it('fills each variable with options from the seeded data', () => {
      expect(variables.map((v) => v.name)).toEqual(['city', 'category']);
      for (const v of variables)
        expect(contexts.all.variables[v.name]!.options.length, v.name).toBeGreaterThan(1);
    });

    describe.each(['all', 'selected'] as const)('with variables on %s', (which) => {
      it.each(panels)('$dashboard / $panel ($refId) returns rows', async (q) => {
        const sql = expandClickHouseQuery(q.query, contexts[which]);
        const rows = await store.query<Record<string, unknown>>(sql);
        expect(rows.length, sql).toBeGreaterThan(0);
        if (q.timeSeries) {
          expect(Object.keys(rows[0]!)[0]).toBe('time');
          expect(new Set(rows.map((r) => String(r.time))).size).toBeGreaterThan(1);
        }
      });
    });

    it('narrows the filtered panels when a city and category are selected', async () => {
      const people = panels.find((q) => q.panel === 'Active people' && !q.timeSeries)!;
      const count = async (which: 'all' | 'selected') => {
        const [row] = await store.query<{ people: number }>(
          expandClickHouseQuery(people.query, contexts[which]),
        );
        return Number(row!.people);
      };
      const everyone = await count('all');
      const some = await count('selected');
      expect(some).toBeGreaterThan(0);
      expect(some).toBeLessThan(everyone);
    });
  });
}
