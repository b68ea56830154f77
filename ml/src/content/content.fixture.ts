import { AlsRecommender } from '../cf/als.model.js';
import type { InteractionMatrix } from '../data/interaction.matrix.js';
import { toMatrix } from '../data/interaction.matrix.js';
import { SeededRandom } from '../data/seeded.random.js';
import { generateSynthetic } from '../data/synthetic.generator.js';
import type { ContentTargets } from './content.model.js';
import type { EventText } from './text.features.js';

/**
 * Events with planted topics, for the content tests and the benchmark: each topic has its own
 * words and tags, and two topics share a category, so neither the category alone nor any
 * single word gives the topic away; most of every text is words common to all topics.
 */
export function topicEvents(
  itemIds: readonly string[],
  itemTopic: Int32Array,
  seed = 1,
): EventText[] {
  const rng = new SeededRandom(seed);
  const topics = Math.max(...itemTopic) + 1;
  const numCategories = Math.ceil(topics / 2);
  const words = pseudoWords(rng, topics * 48 + 200 + 2 * numCategories);
  const topicWords = (t: number): string[] => words.slice(t * 48, t * 48 + 36);
  const topicTags = (t: number): string[] => words.slice(t * 48 + 36, t * 48 + 48);
  const common = words.slice(topics * 48, topics * 48 + 200);
  const names = words.slice(topics * 48 + 200);
  const categories = Array.from(
    { length: numCategories },
    (_, c) => `${names[2 * c]!} ${names[2 * c + 1]!}`,
  );
  const pick = <T>(from: readonly T[]): T => from[rng.nextInt(from.length)]!;
  const text = (t: number, length: number, topical: number): string =>
    Array.from({ length }, () => pick(rng.next() < topical ? topicWords(t) : common)).join(' ');

  return itemIds.map((id, i) => {
    const t = itemTopic[i]!;
    const tags = Array.from({ length: 2 + rng.nextInt(3) }, () =>
      pick(topicTags(rng.next() < 0.8 ? t : rng.nextInt(topics))),
    );
    return {
      id,
      title: text(t, 3 + rng.nextInt(4), 0.5),
      description: `${text(t, 20 + rng.nextInt(20), 0.25)}.`,
      category: categories[Math.floor((rng.next() < 0.9 ? t : rng.nextInt(topics)) / 2)]!,
      tags,
    };
  });
}

/** Distinct pronounceable words of two to four consonant-vowel syllables. */
function pseudoWords(rng: SeededRandom, count: number): string[] {
  const consonants = 'bdfgklmnprstvz';
  const vowels = 'aeiou';
  const seen = new Set<string>();
  while (seen.size < count) {
    let word = '';
    for (let s = 2 + rng.nextInt(3); s > 0; s--)
      word += letter(rng, consonants) + letter(rng, vowels);
    seen.add(word);
  }
  return [...seen];
}

function letter(rng: SeededRandom, letters: string): string {
  return letters[rng.nextInt(letters.length)]!;
}

export interface TopicWorld {
  readonly events: EventText[];
  /** Topic of each item (= event index). */
  readonly itemTopic: Int32Array;
  readonly userTopic: Int32Array;
  /** Items whose interactions were removed before ALS: new events nobody registered for. */
  readonly newItems: Int32Array;
  /** ALS trained without the new items' interactions. */
  readonly als: AlsRecommender;
  readonly train: InteractionMatrix;
  /** The ALS item factors of the items that have interactions. */
  readonly targets: ContentTargets;
}

export interface TopicWorldOptions {
  readonly users: number;
  readonly items: number;
  readonly topics: number;
  readonly newItems: number;
  readonly factors: number;
  readonly seed: number;
}

/**
 * Synthetic registrations whose clusters are the events' topics, ALS factors trained on all but
 * `newItems` randomly chosen events, which keep their text but lose every registration.
 */
export async function plantedTopicWorld(
  options: Partial<TopicWorldOptions> = {},
): Promise<TopicWorld> {
  const { users = 600, items = 480, topics = 8, newItems = 64, factors = 32, seed = 5 } = options;
  const { interactions, itemCluster, userCluster } = generateSynthetic({
    users,
    items,
    interactions: users * 24,
    clusters: topics,
    affinity: 0.85,
    minPerUser: 10,
    seed,
  });
  const rng = new SeededRandom(seed + 1);
  const order = Int32Array.from({ length: items }, (_, i) => i);
  rng.shuffle(order);
  const fresh = order.slice(0, newItems).sort();
  const isNew = new Uint8Array(items);
  for (const i of fresh) isNew[i] = 1;
  const select = new Uint8Array(interactions.length);
  for (let e = 0; e < interactions.length; e++) select[e] = isNew[interactions.items[e]!] ? 0 : 1;
  const train = toMatrix(interactions, { select, binary: true });

  const als = new AlsRecommender();
  await als.fit(train, { factors, threads: 1, seed });
  const kept = order.slice(newItems).sort();
  const targetFactors = new Float32Array(kept.length * factors);
  kept.forEach((i, n) =>
    targetFactors.set(als.itemFactors.subarray(i * factors, (i + 1) * factors), n * factors),
  );
  return {
    events: topicEvents(interactions.itemIds, itemCluster, seed + 2),
    itemTopic: itemCluster,
    userTopic: userCluster,
    newItems: fresh,
    als,
    train,
    targets: {
      itemIds: Array.from(kept, (i) => interactions.itemIds[i]!),
      factors: targetFactors,
      k: factors,
    },
  };
}
