import type { InteractionMatrix, Interactions } from '../data/interaction.matrix.js';
import { toMatrix } from '../data/interaction.matrix.js';
import { SeededRandom } from '../data/seeded.random.js';

/** Train and test matrices over the same user and item indices. */
export interface Split {
  readonly train: InteractionMatrix;
  readonly test: InteractionMatrix;
}

export interface SplitOptions {
  /** Every kept event counts 1 (implicit positives) rather than its weight. */
  readonly binary?: boolean;
}

/** Event indices grouped by user, users in index order, events in log order within a user. */
function eventsByUser(log: Interactions): { start: Int32Array; events: Int32Array } {
  const numUsers = log.userIds.length;
  const start = new Int32Array(numUsers + 1);
  for (let e = 0; e < log.length; e++) start[log.users[e]! + 1]!++;
  for (let u = 0; u < numUsers; u++) start[u + 1]! += start[u]!;
  const cursor = start.slice(0, numUsers);
  const events = new Int32Array(log.length);
  for (let e = 0; e < log.length; e++) events[cursor[log.users[e]!]!++] = e;
  return { start, events };
}

/** How many of a user's n events go to training: never all of them if n >= 2, never none. */
function trainCount(n: number, trainFraction: number): number {
  if (n < 2) return n;
  return Math.min(n - 1, Math.max(1, Math.round(n * trainFraction)));
}

function fromMask(log: Interactions, inTest: Uint8Array, options: SplitOptions): Split {
  const inTrain = new Uint8Array(log.length);
  for (let e = 0; e < log.length; e++) inTrain[e] = inTest[e] ? 0 : 1;
  const binary = options.binary ?? false;
  return {
    train: toMatrix(log, { select: inTrain, binary }),
    test: toMatrix(log, { select: inTest, binary }),
  };
}

/**
 * Per-user stratified random split: each user's events are shuffled (seeded) and
 * round(trainFraction * n) of them train, the rest test, so every user with two or more
 * events appears on both sides in the same proportion. Same seed, same split.
 */
export function stratifiedSplit(
  log: Interactions,
  options: SplitOptions & { trainFraction?: number; seed?: number } = {},
): Split {
  const { trainFraction = 0.75, seed = 1 } = options;
  const rng = new SeededRandom(seed);
  const { start, events } = eventsByUser(log);
  const inTest = new Uint8Array(log.length);
  for (let u = 0; u < log.userIds.length; u++) {
    const s = start[u]!;
    const e = start[u + 1]!;
    rng.shuffle(events, s, e);
    for (let k = s + trainCount(e - s, trainFraction); k < e; k++) inTest[events[k]!] = 1;
  }
  return fromMask(log, inTest, options);
}

/**
 * Time-based holdout. With `cutoff`, events at or after it are the test set (users who only
 * appear after it have nothing to train on and are skipped by `evaluate`). Otherwise each
 * user's latest `testFraction` of events (by timestamp) are the test set.
 */
export function temporalSplit(
  log: Interactions,
  options: SplitOptions & ({ cutoff: number } | { testFraction?: number }) = {},
): Split {
  const inTest = new Uint8Array(log.length);
  if ('cutoff' in options) {
    for (let e = 0; e < log.length; e++) inTest[e] = log.timestamps[e]! >= options.cutoff ? 1 : 0;
    return fromMask(log, inTest, options);
  }
  const testFraction = options.testFraction ?? 0.25;
  const { start, events } = eventsByUser(log);
  const ts = log.timestamps;
  for (let u = 0; u < log.userIds.length; u++) {
    const s = start[u]!;
    const e = start[u + 1]!;
    // Stable by log order for equal timestamps, so the split is deterministic.
    const sorted = Array.from(events.subarray(s, e)).sort((a, b) => ts[a]! - ts[b]! || a - b);
    for (let k = trainCount(e - s, 1 - testFraction); k < sorted.length; k++) {
      inTest[sorted[k]!] = 1;
    }
  }
  return fromMask(log, inTest, options);
}
