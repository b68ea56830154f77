import { afterEach, describe, expect, it } from 'vitest';
import { SeededRandom } from '../data/seeded.random.js';
import { CandidateIndex } from './candidate.index.js';
import { rankForUser, type CandidateInfo } from './hybrid.ranker.js';
import { trainCentroids } from './ivf.index.js';
import { RankerThread, type RankJob } from './ranker.thread.js';
import { TrendOrder } from './trend.order.js';

const K = 16;
const NOW = Date.parse('2026-06-01T00:00:00Z');
const DAY = 86_400_000;
const categories = ['music', 'tech', 'food', 'sports'];

/** A catalogue of n events around a few centres, with facts, as the serving side holds it. */
function world(n: number, seed: number) {
  const rng = new SeededRandom(seed);
  const centres = Float32Array.from({ length: 8 * K }, () => rng.normal());
  const vectors = new Float32Array(n * K);
  const events: (CandidateInfo & { id: string })[] = [];
  for (let i = 0; i < n; i++) {
    const c = rng.nextInt(8);
    for (let a = 0; a < K; a++) vectors[i * K + a] = centres[c * K + a]! + 0.4 * rng.normal();
    events.push({
      id: `e${i}`,
      title: `Event ${i}`,
      category: categories[i % categories.length]!,
      city: i % 2 ? 'Lyon' : 'Paris',
      startsAt: NOW + (1 + (i % 30)) * DAY,
      trend: rng.next(),
    });
  }
  const centroids = trainCentroids(vectors, n, K, { lists: 32, seed: 2 });
  const index = new CandidateIndex(K, centroids, n);
  events.forEach((e, i) => index.upsert(e.id, vectors.subarray(i * K, i * K + K)));
  const info = new Map(events.map((e) => [e.id, e]));
  const job = (user: number): RankJob => ({
    user: Float32Array.from(vectors.subarray(user * K, user * K + K)),
    history: [1, 2].map((h) => ({
      eventId: `e${user + h}`,
      title: `Event ${user + h}`,
      vector: Float32Array.from(index.vectorOf(`e${user + h}`)!),
    })),
    exclude: [`e${user + 1}`, `e${user + 2}`],
    trending: 20,
    limit: 10,
    now: NOW,
  });
  return { events, vectors, centroids, index, info, job };
}

/** A thread sent everything the serving side holds. */
async function loaded(w: ReturnType<typeof world>): Promise<RankerThread> {
  const ranker = await RankerThread.start();
  ranker.describe(w.events);
  ranker.reset(K, w.centroids, w.events.length);
  ranker.place(
    // With their lists, as the serving side sends them (the thread need not find them again).
    w.events.map((e) => ({
      id: e.id,
      vector: w.index.vectorOf(e.id)!,
      list: w.index.listFor(e.id),
    })),
  );
  return ranker;
}

describe('RankerThread', () => {
  let ranker: RankerThread | undefined;
  afterEach(async () => {
    await ranker?.close();
    ranker = undefined;
  });

  it('ranks exactly as in-thread ranking does, from the state it was sent', async () => {
    const w = world(3_000, 1);
    ranker = await loaded(w);
    const users = [10, 200, 1_500, 2_222];
    const local = users.map((user) => {
      const job = w.job(user);
      const exclude = new Set(job.exclude);
      return rankForUser({
        index: w.index,
        info: (id) => w.info.get(id),
        ...job,
        exclude,
        extra: new TrendOrder(() => w.events).head(job.trending, exclude, NOW),
      });
    });
    for (const list of local) expect(list).toHaveLength(10);
    // Asked in one turn: sent as one batch, answered as one, each to its own caller.
    expect(await Promise.all(users.map((user) => ranker!.rank(w.job(user))))).toEqual(local);
    // And one at a time.
    for (const [i, user] of users.entries())
      expect(await ranker.rank(w.job(user))).toEqual(local[i]);
  });

  it('applies removals and new facts in the order they were sent', async () => {
    const w = world(2_000, 2);
    ranker = await loaded(w);
    const job = w.job(40);
    const before = await ranker.rank(job);
    const [top, second] = before;
    // The top pick is cancelled and the second starts now: neither may come back.
    ranker.remove([top!.eventId]);
    ranker.describe([{ ...w.info.get(second!.eventId)!, startsAt: NOW }]);
    const after = (await ranker.rank(job)).map((r) => r.eventId);
    expect(after).not.toContain(top!.eventId);
    expect(after).not.toContain(second!.eventId);
    expect(after).toHaveLength(10);
  });

  it('fails its waiting rankings and reports the failure when the thread dies', async () => {
    const failures: Error[] = [];
    ranker = await RankerThread.start((err) => failures.push(err));
    // Events placed before any model: the thread throws and exits.
    ranker.place([{ id: 'e1', vector: new Float32Array(K) }]);
    const waiting = ranker.rank(world(100, 3).job(1));
    await expect(waiting).rejects.toThrow();
    expect(ranker.healthy).toBe(false);
    expect(failures).toHaveLength(1);
    await expect(ranker.rank(world(100, 3).job(1))).rejects.toThrow();
  });
});
