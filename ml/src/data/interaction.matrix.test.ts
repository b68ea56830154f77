import { describe, expect, it } from 'vitest';
import {
  InteractionsBuilder,
  hasInteraction,
  matrixFromTriples,
  toMatrix,
  userItems,
} from './interaction.matrix.js';

describe('interaction matrix', () => {
  it('builds sorted CSR rows and the matching CSC columns from triples, summing duplicates', () => {
    const m = matrixFromTriples([
      ['alice', 'c', 1],
      ['bob', 'a', 2],
      ['alice', 'a', 3],
      ['alice', 'c', 0.5],
      ['carol', 'b'],
    ]);
    expect(m.userIds).toEqual(['alice', 'bob', 'carol']);
    expect(m.itemIds).toEqual(['c', 'a', 'b']);
    expect(m.nnz).toBe(4);
    // alice: items c (0) and a (1), sorted by index
    expect(Array.from(userItems(m, 0))).toEqual([0, 1]);
    expect(Array.from(m.data.subarray(0, 2))).toEqual([1.5, 3]);
    expect(Array.from(m.indptr)).toEqual([0, 2, 3, 4]);
    // item a (1) has alice (0) with 3 and bob (1) with 2
    const a = m.itemIndptr[1]!;
    expect(Array.from(m.itemIndices.subarray(a, m.itemIndptr[2]!))).toEqual([0, 1]);
    expect(Array.from(m.itemData.subarray(a, m.itemIndptr[2]!))).toEqual([3, 2]);
    expect(hasInteraction(m, 2, 2)).toBe(true);
    expect(hasInteraction(m, 2, 1)).toBe(false);
  });

  it('keeps the full id space when selecting a subset, and binary makes every pair count 1', () => {
    const b = new InteractionsBuilder();
    b.add('u1', 'i1', 5);
    b.add('u1', 'i1', 4);
    b.add('u2', 'i2', 3);
    const log = b.build();
    const m = toMatrix(log, { select: Uint8Array.from([1, 1, 0]), binary: true });
    expect(m.numUsers).toBe(2);
    expect(m.numItems).toBe(2);
    expect(m.nnz).toBe(1);
    expect(m.data[0]).toBe(1);
    expect(Array.from(m.itemIndptr)).toEqual([0, 1, 1]);
  });
});
