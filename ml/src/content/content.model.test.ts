import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { ArtifactFormatError } from '../cf/artifact.codec.js';
import { topK } from '../cf/top-k.ranking.js';
import { benchmarkContentTraining } from './content.benchmark.js';
import type { TopicWorld } from './content.fixture.js';
import { plantedTopicWorld } from './content.fixture.js';
import { loadTensorFlow } from './tfjs.backend.js';
import type { ContentModel, ContentProgress } from './content.model.js';
import {
  ContentTrainingError,
  deserializeContentModel,
  trainContentModel,
} from './content.model.js';

const cosine = (a: Float32Array, b: Float32Array): number => {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!;
    na += a[i]! * a[i]!;
    nb += b[i]! * b[i]!;
  }
  return dot / Math.sqrt(na * nb);
};

describe('content model on planted topics', () => {
  let world: TopicWorld;
  let model: ContentModel;
  const progress: ContentProgress[] = [];
  /** Content embeddings of the new events, row-major in world.newItems order. */
  let fresh: Float32Array;
  let k: number;

  beforeAll(async () => {
    world = await plantedTopicWorld();
    k = world.targets.k;
    model = await trainContentModel(world.events, world.targets, {
      seed: 1,
      onProgress: (p) => progress.push(p),
    });
    fresh = model.embedMany(Array.from(world.newItems, (i) => world.events[i]!));
  });

  it('never saw the new events: they have no registrations and no factor row', () => {
    const trained = new Set(world.targets.itemIds);
    for (const i of world.newItems) {
      expect(trained.has(world.events[i]!.id)).toBe(false);
      expect(world.train.itemIndptr[i + 1]! - world.train.itemIndptr[i]!).toBe(0);
    }
    expect(model.info.trainedItems + model.info.validationItems).toBe(world.targets.itemIds.length);
  });

  it('embeds a new event closest (cosine) to the CF item factors of its own topic', () => {
    const topicOf = new Map(world.events.map((e, i) => [e.id, world.itemTopic[i]!]));
    const targetTopics = world.targets.itemIds.map((id) => topicOf.get(id)!);
    let same = 0;
    let chance = 0;
    world.newItems.forEach((item, n) => {
      const topic = world.itemTopic[item]!;
      const e = fresh.subarray(n * k, n * k + k);
      const sims = Float32Array.from(targetTopics, (_, r) =>
        cosine(e, world.targets.factors.subarray(r * k, r * k + k)),
      );
      for (const r of topK(sims, 10).items) if (targetTopics[r] === topic) same++;
      chance += targetTopics.filter((t) => t === topic).length / targetTopics.length;
    });
    const precision = same / (10 * world.newItems.length);
    chance /= world.newItems.length;
    expect(chance).toBeLessThan(0.2);
    expect(precision).toBeGreaterThan(0.7);
    expect(precision).toBeGreaterThan(4 * chance);
  });

  it('recommends a new event with no registrations to the users whose history matches its content', () => {
    // Candidates: the upcoming events nobody has registered for yet, scored by user factor x
    // content embedding, as serving will for events without CF factors.
    let ownHits = 0;
    let ownPairs = 0;
    let otherHits = 0;
    let otherPairs = 0;
    const users = world.userTopic.length;
    for (let u = 0; u < users; u++) {
      const x = world.als.userFactors.subarray(u * k, u * k + k);
      const scores = Float32Array.from(world.newItems, (_, n) => {
        let s = 0;
        for (let a = 0; a < k; a++) s += x[a]! * fresh[n * k + a]!;
        return s;
      });
      const top = new Set(topK(scores, 10).items);
      world.newItems.forEach((item, n) => {
        const hit = top.has(n) ? 1 : 0;
        if (world.itemTopic[item] === world.userTopic[u]) {
          ownHits += hit;
          ownPairs++;
        } else {
          otherHits += hit;
          otherPairs++;
        }
      });
    }
    const chance = 10 / world.newItems.length;
    expect(ownHits / ownPairs).toBeGreaterThan(0.75);
    expect(ownHits / ownPairs).toBeGreaterThan(4 * chance);
    expect(otherHits / otherPairs).toBeLessThan(chance);
  });

  it('reports every epoch and keeps the weights of the best validation epoch', () => {
    expect(progress.map((p) => p.epoch)).toEqual(
      Array.from({ length: model.info.epochs }, (_, i) => i + 1),
    );
    const losses = progress.map((p) => p.validationLoss!);
    expect(model.info.validationLoss).toBe(Math.min(...losses));
    expect(progress[model.info.bestEpoch - 1]!.validationLoss).toBe(model.info.validationLoss);
    // The training loss falls, and early stopping ended the run before the epoch limit.
    expect(progress.at(-1)!.loss).toBeLessThan(progress[0]!.loss);
    expect(model.info.epochs).toBeLessThan(50);
    expect(model.info.epochs - model.info.bestEpoch).toBe(5);
  });

  it('embeds bit for bit the same after a serialization round trip', () => {
    const bytes = model.serialize();
    // IDF, weights and bias as float32, plus a small JSON header.
    expect(bytes.byteLength).toBeLessThan((model.features.dimension * (k + 1) + k) * 4 + 4096);
    const loaded = deserializeContentModel(bytes);
    expect(loaded.backend).toBe(model.backend);
    expect(loaded.info).toEqual(model.info);
    expect(loaded.embedMany(world.events)).toEqual(model.embedMany(world.events));
    expect(loaded.embed(world.events[3]!)).toEqual(model.embed(world.events[3]!));
  });

  it('refuses a collaborative-filtering artifact', () => {
    expect(() => deserializeContentModel(world.als.serialize())).toThrow(ArtifactFormatError);
  });

  it('gives an event with nothing but stop words the bias, the mean factor row', () => {
    const empty = { id: 'x', title: 'The', description: 'and of a', category: '', tags: [] };
    expect(model.embed(empty)).toEqual(model.bias);
  });

  it('trains the same weights again from the same seed, releasing every tensor', async () => {
    const { tf } = await loadTensorFlow();
    const tensors = tf.memory().numTensors;
    const again = await trainContentModel(world.events, world.targets, { seed: 1 });
    expect(again.weights).toEqual(model.weights);
    expect(again.bias).toEqual(model.bias);
    expect(tf.memory().numTensors).toBe(tensors);
  });

  it('rejects factors of the wrong shape and too few events with factors', async () => {
    const { itemIds, factors } = world.targets;
    await expect(trainContentModel(world.events, { itemIds, factors, k: 31 })).rejects.toThrow(
      ContentTrainingError,
    );
    await expect(
      trainContentModel(world.events, { itemIds: ['nope'], factors: new Float32Array(k), k }),
    ).rejects.toThrow(/only 0 events have item factors/);
  });
});

describe('serving', () => {
  it('embeds from an artifact through @platform/ml without loading TensorFlow.js', async () => {
    const { events, targets } = await plantedTopicWorld({
      users: 100,
      items: 60,
      newItems: 5,
      topics: 3,
      factors: 4,
    });
    const model = await trainContentModel(events, targets, { epochs: 2, features: { bits: 10 } });
    const dir = await mkdtemp(join(tmpdir(), 'content-'));
    try {
      const artifact = join(dir, 'model.bin');
      await writeFile(artifact, model.serialize());
      // tfjs-core registers its engine on globalThis when it loads; the last line proves the probe.
      const script = `
        import { readFile } from 'node:fs/promises';
        const { deserializeContentModel } = await import('@platform/ml');
        const model = deserializeContentModel(await readFile(${JSON.stringify(artifact)}));
        const v = model.embed({ id: 'n', title: ${JSON.stringify(events[0]!.title)}, description: '', category: '', tags: [] });
        const before = '_tfengine' in globalThis;
        await import('@tensorflow/tfjs-core');
        console.log(JSON.stringify({ length: v.length, before, after: '_tfengine' in globalThis }));
      `;
      const { stdout } = await promisify(execFile)(
        process.execPath,
        ['--import', 'tsx', '--input-type=module', '-e', script],
        { cwd: fileURLToPath(new URL('.', import.meta.url)) },
      );
      expect(JSON.parse(stdout.trim().split('\n').at(-1)!)).toEqual({
        length: 4,
        before: false,
        after: true,
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('times training on the benchmark shape and beats predicting the mean row', async () => {
    const result = await benchmarkContentTraining({ items: 400, factors: 16, topics: 8 });
    // Never tfjs's pure-JS CPU backend while WASM is installed: it is 40 times slower.
    expect(['tensorflow', 'wasm']).toContain(result.backend);
    expect(result.validationLoss!).toBeLessThan(0.8 * result.baselineLoss);
    expect(result.seconds).toBeGreaterThan(0);
    expect(result.embedMicroseconds).toBeGreaterThan(0);
  });
});
