import { topics, type Interaction } from '@platform/contracts';
import { ValidationError } from '@platform/kit';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AnalyticsConsumer } from '../consumer/analytics.consumer.js';
import { createMemoryLog } from '@platform/kit/messaging';
import { migrate } from '../store/migration.runner.js';
import { consumeTracked, publishAll } from '../testing/pipeline.js';
import type { GeneratedMessage } from '../testing/stream.generator.js';
import { openTestStore, type StoreKind, type TestStore } from '../testing/test-stores.js';
import { createAnalyticsQueries, type AnalyticsQueries } from './analytics.queries.js';

const id = (n: number) => `0190a000-0000-7000-8000-${n.toString(16).padStart(12, '0')}`;
const at = (hhmmss: string) => `2024-06-03T${hhmmss}Z`;
const E1 = id(0xe1);
const E2 = id(0xe2);
const E3 = id(0xe3);
const u = (n: number) => id(0x100 + n);
const enc = new TextEncoder();

let next = 1;
function interaction(
  time: string,
  type: Interaction['type'],
  who: { user?: number; session?: string },
  over: Partial<Interaction> = {},
): GeneratedMessage {
  const body: Interaction = {
    id: id(next++),
    type,
    eventId: null,
    query: null,
    position: null,
    resultCount: null,
    occurredAt: at(time),
    receivedAt: at(time),
    sessionId: who.session ?? `session-of-${who.user}`,
    userId: who.user === undefined ? null : u(who.user),
    ...over,
  };
  return {
    topic: topics.interactions,
    key: 'all',
    value: enc.encode(JSON.stringify(body)),
    headers: {},
  };
}

function domain(type: string, occurredAt: string, data: unknown): GeneratedMessage {
  const body = { id: id(next++), type, version: 1, occurredAt, aggregateId: 'a', data };
  return { topic: topics.domain, key: 'all', value: enc.encode(JSON.stringify(body)), headers: {} };
}

const snapshot = (
  eventId: string,
  revision: number,
  title: string,
  category: string,
  city: string,
) => ({
  id: eventId,
  organizerId: id(0x999),
  title,
  description: '',
  category,
  tags: [],
  startsAt: '2024-07-01T18:00:00Z',
  endsAt: '2024-07-01T20:00:00Z',
  venue: { name: 'Hall', city, lat: 1, lon: 1 },
  capacity: 10,
  confirmedCount: 0,
  waitlistCount: 0,
  status: 'published',
  revision,
  publishedAt: null,
});

const registration = (status: string, registrationId: string, eventId: string, user: number) => ({
  registrationId,
  eventId,
  userId: u(user),
  status,
  position: status === 'waitlisted' ? 1 : null,
  capacity: 10,
  confirmedCount: 1,
  waitlistCount: 0,
  eventRevision: 3,
});

/**
 * A small day of activity whose every figure is worked out by hand in the tests below. It goes
 * through the real consumer (memory log -> windows -> store), like production data.
 */
function dataset(): GeneratedMessage[] {
  const view = interaction('10:01:10', 'view', { user: 2 }, { eventId: E1 });
  const confirmedR1 = domain(
    'registration.confirmed',
    at('10:03:30'),
    registration('confirmed', id(0xa1), E1, 1),
  );
  return [
    // Revision 2 arrives before revision 1: the latest revision still wins.
    domain('event.updated', at('09:00:00'), snapshot(E1, 2, 'Jazz night', 'music', 'Oslo')),
    domain('event.created', at('08:00:00'), snapshot(E1, 1, 'Draft', 'draft', 'Nowhere')),
    domain('event.created', at('08:00:00'), snapshot(E2, 1, 'Tech talk', 'tech', 'Bergen')),
    interaction('10:00:10', 'impression', { user: 1 }, { eventId: E1, position: 0 }),
    interaction('10:00:20', 'impression', { user: 2 }, { eventId: E1, position: 1 }),
    interaction('10:00:30', 'impression', { session: 'anon-session-a' }, { eventId: E1 }),
    interaction('10:00:40', 'impression', { user: 1 }, { eventId: E2 }),
    interaction('10:01:05', 'view', { user: 1 }, { eventId: E1 }),
    view,
    view, // the same message twice
    interaction('10:02:00', 'click', { user: 1 }, { eventId: E1 }),
    interaction('10:03:00', 'search', { user: 1 }, { query: 'Jazz', resultCount: 10 }),
    interaction(
      '10:04:00',
      'search',
      { session: 'anon-session-a' },
      { query: ' jazz ', resultCount: 0 },
    ),
    interaction('10:05:00', 'search', { user: 2 }, { query: 'rock  concert', resultCount: 0 }),
    interaction('10:05:30', 'search', { user: 2 }, { query: 'Rock Concert', resultCount: 0 }),
    interaction('10:05:40', 'search', { user: 3 }, { query: 'food' }),
    interaction('10:06:00', 'view', { user: 3 }, { eventId: E2 }),
    interaction('10:06:30', 'impression', { user: 3 }, { eventId: E3 }),
    interaction('11:30:00', 'share', { user: 2 }, { eventId: E1 }),
    // Two hours behind its partition: past the allowed lateness, in no report.
    interaction('09:20:00', 'search', { user: 4 }, { query: 'too late' }),
    confirmedR1,
    confirmedR1,
    domain('registration.waitlisted', at('10:07:00'), registration('waitlisted', id(0xa2), E1, 2)),
    domain('registration.cancelled', at('10:08:00'), registration('cancelled', id(0xa1), E1, 1)),
    domain('registration.confirmed', at('11:10:00'), registration('confirmed', id(0xa3), E2, 3)),
  ];
}

/**
 * The BI queries' contract, run over both store adapters: chdb in `npm test`, the ClickHouse
 * server in integration. The same data, the same SQL, the same answers.
 */
export function describeQueriesContract(kind: StoreKind) {
  describe(`analytics queries: ${kind}`, () => {
    let t: TestStore;
    let q: AnalyticsQueries;

    beforeAll(async () => {
      t = await openTestStore(kind);
      await migrate(t.store);
      const log = createMemoryLog({ partitions: 1 });
      const ends = await publishAll(log, dataset());
      const consumer = new AnalyticsConsumer({
        log,
        store: t.store,
        logger: pino({ level: 'silent' }),
      });
      const { subscription, tracker } = await consumeTracked(
        log,
        { group: 'analytics', topics: [topics.interactions, topics.domain], maxBatch: 100 },
        (batch) => consumer.handle(batch),
      );
      await tracker.waitFor(ends);
      await subscription.stop();
      await log.close();
      q = createAnalyticsQueries({ store: t.store });
    });
    afterAll(() => t?.drop());

    it('overview: hourly figures, rates and totals', async () => {
      const result = await q.overview({ from: at('10:00:00'), to: at('12:00:00'), interval: '1h' });
      expect(result.series.map((p) => p.t)).toEqual([
        '2024-06-03T10:00:00.000Z',
        '2024-06-03T11:00:00.000Z',
      ]);
      expect(result.series[0]).toEqual({
        t: '2024-06-03T10:00:00.000Z',
        impressions: 5,
        views: 3,
        clicks: 1,
        searches: 5,
        shares: 0,
        registrations: 2,
        activeUsers: 4,
        clickThroughRate: 0.2,
        conversion: {
          impressionToView: 0.6,
          viewToRegistration: 2 / 3,
          impressionToRegistration: 0.4,
        },
      });
      expect(result.series[1]).toMatchObject({
        shares: 1,
        registrations: 1,
        activeUsers: 1,
        impressions: 0,
        clickThroughRate: null,
        conversion: {
          impressionToView: null,
          viewToRegistration: null,
          impressionToRegistration: null,
        },
      });
      // Active people over the two hours: not the sum of the hours (user 2 is in both).
      expect(result.totals).toMatchObject({
        impressions: 5,
        views: 3,
        clicks: 1,
        searches: 5,
        shares: 1,
        registrations: 3,
        activeUsers: 4,
      });
    });

    it('overview: widens the range to whole buckets and fills empty ones with zeros', async () => {
      const result = await q.overview({ from: at('10:02:00'), to: at('10:12:00'), interval: '5m' });
      expect(result.from).toBe('2024-06-03T10:00:00.000Z');
      expect(result.to).toBe('2024-06-03T10:15:00.000Z');
      expect(
        result.series.map((p) => [p.t.slice(11, 16), p.impressions, p.views, p.searches]),
      ).toEqual([
        ['10:00', 4, 2, 2],
        ['10:05', 1, 1, 3],
        ['10:10', 0, 0, 0],
      ]);
    });

    it('eventStats: one event’s figures per bucket', async () => {
      const result = await q.eventStats(E1, {
        from: at('10:00:00'),
        to: at('12:00:00'),
        interval: '1h',
      });
      expect(result.totals).toEqual({
        impressions: 3,
        views: 2,
        clicks: 1,
        searches: 0,
        registrations: 2,
      });
      expect(result.series).toEqual([
        {
          t: '2024-06-03T10:00:00.000Z',
          impressions: 3,
          views: 2,
          clicks: 1,
          searches: 0,
          registrations: 2,
        },
        {
          t: '2024-06-03T11:00:00.000Z',
          impressions: 0,
          views: 0,
          clicks: 0,
          searches: 0,
          registrations: 0,
        },
      ]);
      const minutes = await q.eventStats(E1, {
        from: at('10:00:00'),
        to: at('10:03:00'),
        interval: '1m',
      });
      expect(minutes.series.map((p) => [p.impressions, p.views, p.clicks])).toEqual([
        [3, 0, 0],
        [0, 2, 0],
        [0, 0, 1],
      ]);
    });

    it('top: events ranked by a metric, with their latest title, category and city', async () => {
      const range = { from: at('10:00:00'), to: at('12:00:00') };
      const views = await q.top({ ...range, metric: 'views' });
      expect(views.items).toEqual([
        { eventId: E1, value: 2, title: 'Jazz night', category: 'music', city: 'Oslo' },
        { eventId: E2, value: 1, title: 'Tech talk', category: 'tech', city: 'Bergen' },
      ]);
      const impressions = await q.top({ ...range, metric: 'impressions', limit: 2 });
      expect(impressions.items.map((i) => [i.eventId, i.value])).toEqual([
        [E1, 3],
        [E2, 1],
      ]);
      const registrations = await q.top({ ...range, metric: 'registrations' });
      expect(registrations.items.map((i) => [i.eventId, i.value])).toEqual([
        [E1, 2],
        [E2, 1],
      ]);
      const unknown = await q.top({
        from: at('10:06:00'),
        to: at('10:07:00'),
        metric: 'impressions',
      });
      expect(unknown.items).toEqual([
        { eventId: E3, value: 1, title: null, category: null, city: null },
      ]);
    });

    it('searches: top queries normalised, and the ones that found nothing', async () => {
      const result = await q.searches({ from: at('06:00:00'), to: at('12:00:00') });
      expect(result.topQueries).toEqual([
        { query: 'jazz', searches: 2, users: 2, averageResults: 5 },
        { query: 'rock concert', searches: 2, users: 1, averageResults: 0 },
        { query: 'food', searches: 1, users: 1, averageResults: null },
      ]);
      expect(result.noResults).toEqual([
        { query: 'rock concert', searches: 2, users: 1 },
        { query: 'jazz', searches: 1, users: 1 },
      ]);
      const limited = await q.searches({ from: at('06:00:00'), to: at('12:00:00'), limit: 1 });
      expect(limited.topQueries.map((r) => r.query)).toEqual(['jazz']);
    });

    it('per category and city, through the rollup view, the latest revision wins', async () => {
      const rows = await t.store.query<Record<string, unknown>>(
        `SELECT category, city, uniqExactMerge(interactions) AS n
        FROM category_windows_1m WHERE type = 'impression' GROUP BY category, city ORDER BY category`,
      );
      expect(rows.map((r) => [r.category, r.city, Number(r.n)])).toEqual([
        ['', '', 1],
        ['music', 'Oslo', 3],
        ['tech', 'Bergen', 1],
      ]);
    });

    it('rejects bad input with a ValidationError', async () => {
      await expect(q.overview({ from: at('12:00:00'), to: at('10:00:00') })).rejects.toBeInstanceOf(
        ValidationError,
      );
      await expect(
        q.overview({ from: '2024-01-01T00:00:00Z', to: '2024-12-31T00:00:00Z', interval: '1m' }),
      ).rejects.toThrow(/at most 2000 buckets/);
      await expect(
        q.eventStats('not-an-id', { from: at('10:00:00'), to: at('11:00:00') }),
      ).rejects.toBeInstanceOf(ValidationError);
      await expect(
        q.top({ from: at('10:00:00'), to: at('11:00:00'), metric: 'likes' as never }),
      ).rejects.toBeInstanceOf(ValidationError);
    });
  });
}
