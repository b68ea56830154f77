import { describe, expect, it } from 'vitest';
import { InteractionsBuilder, userItems } from '../data/interaction.matrix.js';
import { generateSynthetic } from '../data/synthetic.generator.js';
import { stratifiedSplit, temporalSplit } from './split.eval.js';

const log = generateSynthetic({
  users: 60,
  items: 80,
  interactions: 1200,
  minPerUser: 3,
  seed: 5,
}).interactions;

function perUser(users: Int32Array, n: number): Int32Array {
  const c = new Int32Array(n);
  for (const u of users) c[u]!++;
  return c;
}

describe('stratified split', () => {
  it('puts round(75%) of every user events in training and the rest in test', () => {
    const { train, test } = stratifiedSplit(log, { seed: 1 });
    const total = perUser(log.users, 60);
    for (let u = 0; u < 60; u++) {
      const n = total[u]!;
      const trainItems = userItems(train, u);
      const testItems = userItems(test, u);
      expect(trainItems.length).toBe(Math.round(0.75 * n));
      expect(trainItems.length + testItems.length).toBe(n);
      for (const item of testItems) expect(trainItems.includes(item)).toBe(false);
    }
  });

  it('is the same split for the same seed and a different one for another seed', () => {
    const a = stratifiedSplit(log, { seed: 1 });
    const b = stratifiedSplit(log, { seed: 1 });
    const c = stratifiedSplit(log, { seed: 2 });
    expect(b.train.indices).toEqual(a.train.indices);
    expect(b.test.indices).toEqual(a.test.indices);
    expect(c.test.indices).not.toEqual(a.test.indices);
  });

  it('keeps a single-event user in training', () => {
    const b = new InteractionsBuilder();
    b.add('solo', 'x');
    b.add('pair', 'x');
    b.add('pair', 'y');
    const { train, test } = stratifiedSplit(b.build());
    expect(userItems(train, 0).length).toBe(1);
    expect(userItems(test, 0).length).toBe(0);
    expect(userItems(test, 1).length).toBe(1);
  });
});

describe('temporal split', () => {
  it('holds out each user latest events', () => {
    const { train, test } = temporalSplit(log, { testFraction: 0.25, binary: true });
    const lastTrain = new Float64Array(60);
    const firstTest = new Float64Array(60).fill(Infinity);
    const trainSets = Array.from({ length: 60 }, (_, u) => new Set(userItems(train, u)));
    for (let e = 0; e < log.length; e++) {
      const u = log.users[e]!;
      const t = log.timestamps[e]!;
      if (trainSets[u]!.has(log.items[e]!)) lastTrain[u] = Math.max(lastTrain[u]!, t);
      else firstTest[u] = Math.min(firstTest[u]!, t);
    }
    for (let u = 0; u < 60; u++) expect(firstTest[u]!).toBeGreaterThan(lastTrain[u]!);
    expect(test.nnz).toBeGreaterThan(0.2 * log.length);
  });

  it('with a global cutoff, tests exactly the events at or after it', () => {
    const sorted = Array.from(log.timestamps).sort((a, b) => a - b);
    const cutoff = sorted[900]!;
    const { train, test } = temporalSplit(log, { cutoff });
    expect(test.nnz).toBe(log.timestamps.filter((t) => t >= cutoff).length);
    expect(train.nnz + test.nnz).toBe(log.length);
  });
});
