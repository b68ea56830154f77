import { describe, expect, it } from 'vitest';
import { SeededRandom } from '../data/seeded.random.js';
import { CandidateIndex } from './candidate.index.js';
import { trainCentroids } from './ivf.index.js';

const K = 16;

/** n vectors around `clusters` random centres. */
function planted(n: number, clusters: number, seed: number) {
  const rng = new SeededRandom(seed);
  const centres = Float32Array.from({ length: clusters * K }, () => rng.normal());
  const vectors = new Float32Array(n * K);
  for (let i = 0; i < n; i++) {
    const c = rng.nextInt(clusters);
    for (let a = 0; a < K; a++) vectors[i * K + a] = centres[c * K + a]! + 0.4 * rng.normal();
  }
  return vectors;
}

function topByDot(index: CandidateIndex, slots: number[], q: Float32Array, k: number): string[] {
  return slots
    .map((s) => ({ id: index.idOf(s), score: index.dot(s, q) }))
    .sort((a, b) => b.score - a.score)
    .slice(0, k)
    .map((x) => x.id);
}

describe('CandidateIndex', () => {
  it('finds almost every exact top-10 item while scoring a small share of the catalogue (IVF)', () => {
    const n = 20_000;
    const vectors = planted(n, 40, 1);
    const centroids = trainCentroids(vectors, n, K, { lists: 141, seed: 2 });
    const index = new CandidateIndex(K, centroids);
    for (let i = 0; i < n; i++) index.upsert(`e${i}`, vectors.subarray(i * K, i * K + K));
    const exact = new CandidateIndex(K, null);
    for (let i = 0; i < n; i++) exact.upsert(`e${i}`, vectors.subarray(i * K, i * K + K));
    const queries = planted(50, 40, 3);
    let found = 0;
    let scanned = 0;
    for (let q = 0; q < 50; q++) {
      const query = queries.subarray(q * K, q * K + K);
      const truth = topByDot(exact, exact.candidates(query), query, 10);
      const slots = index.candidates(query, { probe: 12, exhaustiveBelow: 1_000 });
      scanned += slots.length;
      const approx = new Set(topByDot(index, slots, query, 10));
      found += truth.filter((id) => approx.has(id)).length;
    }
    expect(found / 500).toBeGreaterThan(0.9);
    expect(scanned / 50 / n).toBeLessThan(0.25);
  });

  it('scores everything below the exhaustive threshold, and forgets removed items', () => {
    const vectors = planted(100, 4, 4);
    const index = new CandidateIndex(K, trainCentroids(vectors, 100, K, { lists: 10 }));
    for (let i = 0; i < 100; i++) index.upsert(`e${i}`, vectors.subarray(i * K, i * K + K));
    const q = vectors.subarray(0, K);
    expect(index.candidates(q)).toHaveLength(100);
    index.remove('e0');
    index.remove('e0');
    expect(index.size).toBe(99);
    expect(index.has('e0')).toBe(false);
    expect(index.candidates(q).map((s) => index.idOf(s))).not.toContain('e0');
    // A slot is reused, and a moved vector is found in its new list only once.
    index.upsert('new', vectors.subarray(5 * K, 6 * K));
    index.upsert('new', vectors.subarray(7 * K, 8 * K));
    const ivf = index.candidates(vectors.subarray(7 * K, 8 * K), { probe: 10, exhaustiveBelow: 1 });
    expect(ivf.filter((s) => index.idOf(s) === 'new')).toHaveLength(1);
    expect(index.size).toBe(100);
  });

  it('after removals, slot reuse and moves, every live item is scored once with its current vector', () => {
    const n = 400;
    const vectors = planted(n, 8, 5);
    const centroids = trainCentroids(vectors, n, K, { lists: 12, seed: 6 });
    const index = new CandidateIndex(K, centroids, 16);
    const current = new Map<string, Float32Array>();
    const rng = new SeededRandom(7);
    const row = (i: number) => vectors.subarray(i * K, i * K + K);
    for (let step = 0; step < 3_000; step++) {
      const id = `e${rng.nextInt(150)}`;
      if (rng.next() < 0.3) {
        index.remove(id);
        current.delete(id);
      } else {
        // New, moved to another vector (often another list), or the same vector again.
        const v = row(rng.nextInt(n));
        index.upsert(id, v);
        current.set(id, Float32Array.from(v));
      }
    }
    expect(index.size).toBe(current.size);
    const query = row(0);
    const { slots, scores } = index.retrieve(query, { probe: 12, exhaustiveBelow: 1 });
    const seen = new Map<string, number>();
    slots.forEach((slot, i) => seen.set(index.idOf(slot), scores[i]!));
    expect(slots.length).toBe(current.size);
    expect(seen.size).toBe(current.size);
    for (const [id, v] of current) {
      let dot = 0;
      for (let a = 0; a < K; a++) dot += v[a]! * query[a]!;
      expect(seen.get(id)).toBeCloseTo(dot, 4);
      const slot = index.slotOf(id)!;
      expect(index.dot(slot, query)).toBeCloseTo(dot, 4);
    }
  });

  it('keeps facts by slot until the event leaves; a reused slot has none until set', () => {
    const vectors = planted(20, 2, 8);
    const index = new CandidateIndex(K, null, 4);
    for (let i = 0; i < 20; i++) index.upsert(`e${i}`, vectors.subarray(i * K, i * K + K));
    expect(index.setFacts('unknown', { startsAt: 1, trend: 0.5, category: 'music' })).toBe(false);
    expect(index.setFacts('e3', { startsAt: 1_000, trend: 0.25, category: 'tech' })).toBe(true);
    index.setFacts('e4', { startsAt: 2_000, trend: 0.5, category: 'music' });
    const slot = index.slotOf('e3')!;
    expect(index.hasFacts(slot)).toBe(true);
    expect([index.startsAtOf(slot), index.trendOf(slot), index.categoryOf(slot)]).toEqual([
      1_000,
      0.25,
      'tech',
    ]);
    expect(index.categoryOf(index.slotOf('e4')!)).toBe('music');
    index.remove('e3');
    index.upsert('e99', vectors.subarray(0, K));
    expect(index.slotOf('e99')).toBe(slot);
    expect(index.hasFacts(slot)).toBe(false);
    // Grown past its first capacity, facts recorded before are still there.
    for (let i = 20; i < 60; i++) index.upsert(`g${i}`, vectors.subarray(0, K));
    expect(index.trendOf(index.slotOf('e4')!)).toBe(0.5);
  });
});
