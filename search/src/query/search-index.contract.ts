import {
  domainMessageSchema,
  type DomainMessage,
  type EventSnapshot,
  type SearchResponse,
} from '@platform/contracts';
import { newId, ValidationError } from '@platform/kit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { documentFromSnapshot } from './search-document.js';
import type { SearchIndex, SearchParams } from './search-index.port.js';

export interface ContractTarget {
  index: SearchIndex;
  close(): Promise<void>;
}

/** Creates an empty index of one backend, ranking at the given clock. */
export type ContractFactory = (options: { now: () => Date }) => Promise<ContractTarget>;

const DAY = 86_400_000;
const LYON = { name: 'Blue Room', city: 'Lyon', lat: 45.764, lon: 4.8357 };
const VILLEURBANNE = { name: 'Le Transbordeur', city: 'Villeurbanne', lat: 45.7833, lon: 4.8601 };
const PARIS = { name: 'Le Chalet', city: 'Paris', lat: 48.8566, lon: 2.3522 };
const ORGANIZER = newId();

/**
 * The search index contract: every adapter of the `SearchIndex` port runs this suite with the
 * same expectations (the embedded index in `npm test`, Elasticsearch in the integration run).
 */
export function searchIndexContract(backend: string, create: ContractFactory): void {
  describe(`search index contract (${backend})`, () => {
    const now = new Date();
    const at = (days: number) => new Date(now.getTime() + days * DAY).toISOString();
    let target: ContractTarget;
    let index: SearchIndex;

    beforeEach(async () => {
      target = await create({ now: () => now });
      index = target.index;
    });
    afterEach(() => target.close());

    const snapshot = (overrides: Partial<EventSnapshot> & { inDays?: number } = {}) => {
      const { inDays = 10, ...rest } = overrides;
      const startsAt = rest.startsAt ?? at(inDays);
      return {
        id: newId(),
        organizerId: ORGANIZER,
        title: 'Jazz by the river',
        description: '',
        category: 'music',
        tags: [],
        startsAt,
        endsAt: new Date(Date.parse(startsAt) + 3 * 3_600_000).toISOString(),
        venue: LYON,
        capacity: 200,
        confirmedCount: 0,
        waitlistCount: 0,
        status: 'published',
        revision: 2,
        publishedAt: at(-1),
        ...rest,
      } satisfies EventSnapshot;
    };

    const message = (type: string, data: unknown, aggregateId: string): DomainMessage =>
      domainMessageSchema.parse({
        id: newId(),
        type,
        version: 1,
        occurredAt: now.toISOString(),
        aggregateId,
        data,
      });
    const eventMessage = (
      type: 'event.created' | 'event.updated' | 'event.published' | 'event.cancelled',
      s: EventSnapshot,
    ) => message(type, s, s.id);
    const registrationMessage = (
      s: EventSnapshot,
      counts: { confirmedCount: number; waitlistCount?: number; eventRevision: number },
    ) =>
      message(
        'registration.confirmed',
        {
          registrationId: newId(),
          eventId: s.id,
          userId: newId(),
          status: 'confirmed',
          position: null,
          capacity: s.capacity,
          confirmedCount: counts.confirmedCount,
          waitlistCount: counts.waitlistCount ?? 0,
          eventRevision: counts.eventRevision,
        },
        s.id,
      );

    const publish = async (overrides: Parameters<typeof snapshot>[0] = {}) => {
      const s = snapshot(overrides);
      expect(await index.apply(eventMessage('event.published', s))).toBe('applied');
      return s;
    };
    const search = async (q: string, params: Partial<SearchParams> = {}) => {
      await index.refresh();
      return index.search({ q, limit: 20, ...params });
    };
    const ids = (response: SearchResponse) => response.hits.map((h) => h.eventId);
    const suggestIds = async (q: string, limit = 10) => {
      await index.refresh();
      return (await index.suggest(q, limit)).map((s) => s.eventId);
    };

    describe('matching', () => {
      it('finds an event by a prefix of any title word and highlights the typed part', async () => {
        const jazz = await publish({ title: 'Jazz by the river' });
        const cooking = await publish({ title: 'Cooking class' });
        expect(ids(await search('riv'))).toEqual([jazz.id]);
        expect(ids(await search('cook'))).toEqual([cooking.id]);
        await index.refresh();
        expect(await index.suggest('riv', 10)).toEqual([
          { eventId: jazz.id, title: 'Jazz by the river', highlights: [{ start: 12, end: 15 }] },
        ]);
      });

      it('requires every word; only the word being typed matches as a prefix', async () => {
        const jazz = await publish({ title: 'Jazz by the river' });
        await publish({ title: 'Cooking class' });
        expect(ids(await search('jazz riv'))).toEqual([jazz.id]);
        expect(ids(await search('jazz cook'))).toEqual([]);
        expect(await suggestIds('river jaz')).toEqual([jazz.id]);
        expect(await suggestIds('riv jazz')).toEqual([]);
        expect(await suggestIds('riv ')).toEqual([]);
      });

      it('tolerates one typo from 4 characters and two from 8, and no more', async () => {
        const jazz = await publish({ title: 'Jazz by the river' });
        const orchestra = await publish({ title: 'Philharmonic orchestra' });
        const cooking = await publish({ title: 'Cooking class' });
        expect(await suggestIds('jazx')).toEqual([jazz.id]);
        expect(await suggestIds('jzx')).toEqual([]);
        expect(await suggestIds('rivr')).toEqual([jazz.id]);
        expect(await suggestIds('philharmnoic')).toEqual([orchestra.id]);
        expect(ids(await search('orchestar'))).toEqual([orchestra.id]);
        // Finished words: none allowed under 4 letters, one under 8, two from 8.
        expect(await suggestIds('jaz ')).toEqual([]);
        expect(await suggestIds('clsas ')).toEqual([]);
        expect(await suggestIds('cookign ')).toEqual([]);
        expect(await suggestIds('ochestrq ')).toEqual([orchestra.id]);
        expect(await suggestIds('clas ')).toEqual([cooking.id]);
        expect(ids(await search('jazz clsas'))).toEqual([]);
      });

      it('tolerates a typo in the word being typed', async () => {
        const cooking = await publish({ title: 'Cooking class' });
        await publish({ title: 'Jazz by the river' });
        expect(await suggestIds('cokin')).toEqual([cooking.id]);
        const [suggestion] = await index.suggest('jazx', 10);
        expect(suggestion?.highlights).toEqual([{ start: 0, end: 4 }]);
      });

      it('ignores case and accents, and highlights the original characters', async () => {
        const cafe = await publish({ title: 'Café Crème tasting' });
        expect(ids(await search('CAFE creme'))).toEqual([cafe.id]);
        await index.refresh();
        const [suggestion] = await index.suggest('crem', 10);
        expect(suggestion).toEqual({
          eventId: cafe.id,
          title: 'Café Crème tasting',
          highlights: [{ start: 5, end: 9 }],
        });
      });

      it('searches tags, venue, city and exact description words, and highlights the description', async () => {
        const jazz = await publish({
          title: 'Evening concert',
          tags: ['saxophone'],
          description: 'Live jazz on the terrace.',
        });
        expect(ids(await search('saxophone'))).toEqual([jazz.id]);
        expect(ids(await search('transbordeur'))).toEqual([]);
        expect(ids(await search('lyon'))).toEqual([jazz.id]);
        // Description words match whole and exactly: no typos there.
        expect(ids(await search('terrase'))).toEqual([]);
        const [hit] = (await search('terrace')).hits;
        expect(hit?.snippet).toBe('Live jazz on the terrace.');
        expect(hit?.highlights).toEqual({ title: [], snippet: [{ start: 17, end: 24 }] });
        // Suggest looks at titles only.
        expect(await suggestIds('terrace')).toEqual([]);
      });
    });

    describe('filters and facets', () => {
      const festivals = async () => ({
        lyonMusic: await publish({ title: 'Summer festival', inDays: 5, venue: LYON }),
        lyonSport: await publish({
          title: 'Running festival',
          category: 'sport',
          inDays: 20,
          venue: VILLEURBANNE,
        }),
        parisMusic: await publish({ title: 'Rock festival', inDays: 10, venue: PARIS }),
      });

      it('filters by category, city (any case) and start window', async () => {
        const e = await festivals();
        const sorted = (list: string[]) => [...list].sort();
        expect(sorted(ids(await search('festival', { category: 'music' })))).toEqual(
          sorted([e.lyonMusic.id, e.parisMusic.id]),
        );
        expect(ids(await search('festival', { city: 'PARIS' }))).toEqual([e.parisMusic.id]);
        expect(ids(await search('festival', { from: at(7), to: at(15) }))).toEqual([
          e.parisMusic.id,
        ]);
        expect(ids(await search('festival', { from: at(10), to: at(20) }))).toEqual([
          e.parisMusic.id,
        ]);
      });

      it('filters by distance from a point and reports each distance', async () => {
        const e = await festivals();
        const nearLyon = await search('festival', {
          near: { lat: LYON.lat, lon: LYON.lon },
          radiusKm: 10,
        });
        expect(ids(nearLyon).sort()).toEqual([e.lyonMusic.id, e.lyonSport.id].sort());
        const villeurbanne = nearLyon.hits.find((h) => h.eventId === e.lyonSport.id)!;
        expect(villeurbanne.distanceKm).toBeGreaterThan(2);
        expect(villeurbanne.distanceKm).toBeLessThan(4);
        const tight = await search('festival', {
          near: { lat: LYON.lat, lon: LYON.lon },
          radiusKm: 1,
        });
        expect(ids(tight)).toEqual([e.lyonMusic.id]);
        // Without radiusKm the default radius (25 km) applies: Paris is 390 km away.
        expect(ids(await search('festival', { near: { lat: PARIS.lat, lon: PARIS.lon } }))).toEqual(
          [e.parisMusic.id],
        );
        expect((await search('festival')).hits.every((h) => h.distanceKm === null)).toBe(true);
      });

      it('counts facets over every match, not only the page', async () => {
        await festivals();
        await publish({ title: 'Jazz festival', inDays: 3, venue: LYON });
        const response = await search('festival', { limit: 1 });
        expect(response.hits).toHaveLength(1);
        expect(response.total).toBe(4);
        expect(response.facets.category).toEqual([
          { value: 'music', count: 3 },
          { value: 'sport', count: 1 },
        ]);
        expect(response.facets.city).toEqual([
          { value: 'Lyon', count: 2 },
          { value: 'Paris', count: 1 },
          { value: 'Villeurbanne', count: 1 },
        ]);
        const filtered = await search('festival', { category: 'sport' });
        expect(filtered.facets.category).toEqual([{ value: 'sport', count: 1 }]);
      });

      it('finds only published events that have not started', async () => {
        const published = await publish({ title: 'Open air cinema' });
        const draft = snapshot({ title: 'Open air theatre', status: 'draft', revision: 1 });
        await index.apply(eventMessage('event.created', draft));
        await publish({ title: 'Open air yoga', startsAt: at(-0.1) });
        expect(ids(await search('open air'))).toEqual([published.id]);
        expect(await suggestIds('open')).toEqual([published.id]);
      });
    });

    describe('ranking and pages', () => {
      it('ranks a popular event above an identical unpopular one', async () => {
        const quiet = await publish({ title: 'Salsa night', inDays: 10 });
        const popular = await publish({ title: 'Salsa night', inDays: 10 });
        await index.apply(registrationMessage(popular, { confirmedCount: 150, eventRevision: 3 }));
        expect(ids(await search('salsa'))).toEqual([popular.id, quiet.id]);
        expect(await suggestIds('sals')).toEqual([popular.id]);
      });

      it('ranks a sooner event above an identical later one', async () => {
        const later = await publish({ title: 'Tango lesson', inDays: 40 });
        const sooner = await publish({ title: 'Tango lesson', inDays: 2 });
        expect(ids(await search('tango'))).toEqual([sooner.id, later.id]);
      });

      it('ranks a recent surge of registrations above the same count gathered long ago', async () => {
        const steady = snapshot({ title: 'Pottery workshop', confirmedCount: 40, revision: 2 });
        await index.apply(eventMessage('event.published', steady));
        const surging = await publish({ title: 'Pottery workshop', revision: 2 });
        await index.apply(registrationMessage(surging, { confirmedCount: 40, eventRevision: 3 }));
        expect(ids(await search('pottery'))).toEqual([surging.id, steady.id]);
      });

      it('pages through every match once with an opaque cursor', async () => {
        const all = [];
        for (let i = 0; i < 5; i++)
          all.push(await publish({ title: `Chess club ${i}`, inDays: 3 + i }));
        const seen: string[] = [];
        let cursor: string | undefined;
        const sizes: number[] = [];
        do {
          const page = await search('chess', { limit: 2, cursor });
          sizes.push(page.hits.length);
          expect(page.total).toBe(5);
          seen.push(...ids(page));
          cursor = page.nextCursor ?? undefined;
        } while (cursor);
        expect(sizes).toEqual([2, 2, 1]);
        expect(seen.sort()).toEqual(all.map((e) => e.id).sort());
      });

      it('rejects a cursor it did not issue', async () => {
        await publish();
        await expect(search('jazz', { cursor: 'not-a-cursor' })).rejects.toBeInstanceOf(
          ValidationError,
        );
      });

      it('suggests each title once and at most the limit', async () => {
        await publish({ title: 'Board games evening', inDays: 3 });
        await publish({ title: 'Board Games evening!', inDays: 4 });
        await publish({ title: 'Board games evening', inDays: 5 });
        await publish({ title: 'Boardwalk walk', inDays: 6 });
        await publish({ title: 'Boarding school reunion', inDays: 7 });
        await index.refresh();
        const suggestions = await index.suggest('boar', 10);
        expect(suggestions.map((s) => s.title).sort()).toEqual([
          'Board games evening',
          'Boarding school reunion',
          'Boardwalk walk',
        ]);
        expect(await index.suggest('boar', 2)).toHaveLength(2);
      });
    });

    describe('indexing', () => {
      it('removes a cancelled event', async () => {
        const s = await publish({ title: 'Wine tasting' });
        expect(ids(await search('wine'))).toEqual([s.id]);
        await index.apply(
          eventMessage('event.cancelled', { ...s, status: 'cancelled', revision: 3 }),
        );
        expect(ids(await search('wine'))).toEqual([]);
        expect(await suggestIds('win')).toEqual([]);
      });

      it('reflects an update after a refresh', async () => {
        const s = await publish({ title: 'Wine tasting' });
        await index.apply(
          eventMessage('event.updated', { ...s, title: 'Cheese tasting', revision: 3 }),
        );
        expect(ids(await search('cheese'))).toEqual([s.id]);
        expect(ids(await search('wine'))).toEqual([]);
      });

      it('never lets a replayed or older message regress a document', async () => {
        const v2 = await publish({ title: 'Wine tasting', revision: 2 });
        const v3 = { ...v2, title: 'Cheese tasting', revision: 3 };
        expect(await index.apply(eventMessage('event.updated', v3))).toBe('applied');
        expect(await index.apply(eventMessage('event.published', v2))).toBe('stale');
        expect(await index.apply(eventMessage('event.updated', v3))).toBe('stale');
        expect(ids(await search('wine'))).toEqual([]);
        expect(ids(await search('cheese'))).toEqual([v2.id]);

        await index.apply(registrationMessage(v3, { confirmedCount: 10, eventRevision: 5 }));
        expect(
          await index.apply(registrationMessage(v3, { confirmedCount: 3, eventRevision: 4 })),
        ).toBe('stale');
        expect((await search('cheese')).hits[0]?.confirmedCount).toBe(10);

        await index.apply(
          eventMessage('event.cancelled', { ...v3, status: 'cancelled', revision: 6 }),
        );
        expect(await index.apply(eventMessage('event.published', v2))).toBe('stale');
        expect(ids(await search('cheese'))).toEqual([]);
      });

      it('ends in the same document whatever order the messages arrive in', async () => {
        const created = snapshot({ title: 'Film club', status: 'draft', revision: 1 });
        const published = { ...created, status: 'published' as const, revision: 2 };
        await index.apply(registrationMessage(created, { confirmedCount: 7, eventRevision: 3 }));
        await index.apply(eventMessage('event.published', published));
        expect(await index.apply(eventMessage('event.created', created))).toBe('stale');
        const [hit] = (await search('film')).hits;
        expect(hit).toMatchObject({ eventId: created.id, confirmedCount: 7, title: 'Film club' });
      });

      it('ignores messages search has no use for', async () => {
        const promoted = domainMessageSchema.parse({
          id: newId(),
          type: 'model.promoted',
          version: 1,
          occurredAt: now.toISOString(),
          aggregateId: 'model-1',
          data: {
            modelId: 'm',
            version: 1,
            algorithm: 'als',
            metrics: {},
            promotedAt: now.toISOString(),
          },
        });
        expect(await index.apply(promoted)).toBe('ignored');
      });

      it('bulk-loads documents without overwriting newer ones', async () => {
        const live = await publish({ title: 'Cheese tasting', revision: 3 });
        const loadedOnly = snapshot({ title: 'Beer tasting' });
        const result = await index.bulkLoad([
          documentFromSnapshot({ ...live, title: 'Wine tasting', revision: 2 }),
          documentFromSnapshot(loadedOnly),
        ]);
        expect(result.loaded).toBe(2);
        expect(ids(await search('cheese'))).toEqual([live.id]);
        expect(ids(await search('wine'))).toEqual([]);
        expect(ids(await search('beer'))).toEqual([loadedOnly.id]);
      });
    });
  });
}
