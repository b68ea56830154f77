import { stemmer } from 'stemmer';

/** What the content model reads of an event. */
export interface EventText {
  readonly id: string;
  readonly title: string;
  readonly description: string;
  readonly category: string;
  readonly tags: readonly string[];
}

/** A sparse row: bucket indices in increasing order and their values. */
export interface SparseVector {
  readonly indices: Int32Array;
  readonly values: Float32Array;
}

export interface FeatureOptions {
  /** log2 of the number of hash buckets (12..16). */
  readonly bits: number;
  /** Adjacent-word pairs ("jazz quartet") besides single words. */
  readonly bigrams: boolean;
  /** Weight of one title word relative to one description word. */
  readonly titleWeight: number;
  /** Weight of the whole category as one token ("c:live music"). */
  readonly categoryWeight: number;
  /** Weight of each whole tag as one token ("t:open air"). */
  readonly tagWeight: number;
}

/**
 * 2^13 buckets: unigrams and bigrams of a few thousand events collide rarely enough (signed
 * hashing turns the remaining collisions into noise, not bias), and the weights stay 2 MiB at
 * 64 factors. See README.md for the timings that ruled out 2^14.
 */
export const FEATURE_DEFAULTS: FeatureOptions = {
  bits: 13,
  bigrams: true,
  titleWeight: 2,
  categoryWeight: 3,
  tagWeight: 2,
};

/** Words too common in event text to say anything about its topic. */
const STOP_WORDS = new Set(
  (
    'a an and are as at be been but by can do for from had has have he her his i if in into is ' +
    'it its just me my no not of on or our out she so than that the their them then there ' +
    'these they this to up us was we were what when where which who will with you your ' +
    'all am any about after also more most other over some such only own same very s t ' +
    'don should now here how why each few both again further once off above below ' +
    'join us come bring get let'
  ).split(' '),
);

const WORD = /[\p{L}\p{N}][\p{L}\p{N}\p{M}]*/gu;
const ASCII_WORD = /^[a-z]+$/;

/**
 * Lower-cased (NFKC) runs of Unicode letters and digits, without stop words and one-letter
 * words; plain ASCII words are Porter-stemmed ("concerts" and "concert" meet), other scripts
 * are kept as they are rather than mangled by an English stemmer.
 */
export function tokenize(text: string): string[] {
  const out: string[] = [];
  for (const match of text.normalize('NFKC').toLowerCase().matchAll(WORD)) {
    const word = match[0];
    if (word.length < 2 || STOP_WORDS.has(word)) continue;
    out.push(ASCII_WORD.test(word) ? stemmer(word) : word);
  }
  return out;
}

/** A category or tag as one token: its words, stemmed, joined by spaces. */
function phrase(text: string): string {
  return tokenize(text).join(' ');
}

/**
 * The weighted terms of an event: words and bigrams of title and description, the category and
 * each tag as whole field-prefixed tokens ("c:…", "t:…"; unigrams never hold ':' or ' '), and
 * the words of category and tags again as plain words so that a tag "jazz" meets "jazz" in a
 * description.
 */
export function eventTerms(
  event: EventText,
  options: FeatureOptions = FEATURE_DEFAULTS,
): Map<string, number> {
  const terms = new Map<string, number>();
  const add = (term: string, weight: number): void => {
    terms.set(term, (terms.get(term) ?? 0) + weight);
  };
  const addText = (text: string, weight: number): void => {
    const words = tokenize(text);
    for (let i = 0; i < words.length; i++) {
      add(words[i]!, weight);
      if (options.bigrams && i > 0) add(`${words[i - 1]!} ${words[i]!}`, weight);
    }
  };
  addText(event.title, options.titleWeight);
  addText(event.description, 1);
  const category = phrase(event.category);
  if (category) {
    add(`c:${category}`, options.categoryWeight);
    for (const word of category.split(' ')) add(word, 1);
  }
  for (const tag of new Set(event.tags.map(phrase))) {
    if (!tag) continue;
    add(`t:${tag}`, options.tagWeight);
    for (const word of tag.split(' ')) add(word, 1);
  }
  return terms;
}

/**
 * MurmurHash3's 32-bit mix over the UTF-16 code units: stable across runs, machines and
 * engines, which a feature hash must be since the buckets are baked into the stored weights.
 */
export function hashTerm(term: string): number {
  let h = 0x9747b28c;
  for (let i = 0; i < term.length; i++) {
    let k = Math.imul(term.charCodeAt(i), 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    h ^= Math.imul(k, 0x1b873593);
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  h ^= term.length;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/**
 * Signed feature hashing of an event's terms with sublinear term frequency (log1p of the
 * weighted count): the low bits pick the bucket, the top bit the sign, so that colliding terms
 * cancel on average instead of adding up. Returns bucket → value, before IDF.
 */
function hashedCounts(event: EventText, options: FeatureOptions): Map<number, number> {
  const mask = (1 << options.bits) - 1;
  const buckets = new Map<number, number>();
  for (const [term, weight] of eventTerms(event, options)) {
    const h = hashTerm(term);
    const bucket = h & mask;
    const value = (h >>> 31 ? -1 : 1) * Math.log1p(weight);
    buckets.set(bucket, (buckets.get(bucket) ?? 0) + value);
  }
  return buckets;
}

export class FeatureOptionsError extends RangeError {
  readonly code = 'Validation';
  constructor(detail: string) {
    super(`content features: ${detail}`);
    this.name = 'FeatureOptionsError';
  }
}

function checkBits(bits: number): void {
  if (!Number.isInteger(bits) || bits < 4 || bits > 20) {
    throw new FeatureOptionsError(`bits must be an integer in [4, 20], got ${bits}`);
  }
}

/**
 * Hashed TF-IDF rows. The IDF is learnt from the training events and stored with the model:
 * idf = ln((1 + n) / (1 + df)) + 1 per bucket (scikit-learn's smooth IDF). A bucket that no
 * training event used has IDF 0: the model has no weight for it, and letting it into the
 * L2 norm would only shrink the known part of a new event's row.
 */
export class TfidfFeatures {
  readonly dimension: number;

  constructor(
    readonly options: FeatureOptions,
    readonly idf: Float32Array,
  ) {
    checkBits(options.bits);
    this.dimension = 1 << options.bits;
    if (idf.length !== this.dimension) {
      throw new FeatureOptionsError(`idf has ${idf.length} entries for ${this.dimension} buckets`);
    }
  }

  static fit(events: readonly EventText[], options: Partial<FeatureOptions> = {}): TfidfFeatures {
    const o = { ...FEATURE_DEFAULTS, ...options };
    checkBits(o.bits);
    const dimension = 1 << o.bits;
    const df = new Float64Array(dimension);
    for (const event of events) {
      for (const [bucket, value] of hashedCounts(event, o)) if (value !== 0) df[bucket]!++;
    }
    const idf = new Float32Array(dimension);
    for (let j = 0; j < dimension; j++) {
      if (df[j]! > 0) idf[j] = Math.log((1 + events.length) / (1 + df[j]!)) + 1;
    }
    return new TfidfFeatures(o, idf);
  }

  /** The event's L2-normalised TF-IDF row (empty when it has no known term). */
  transform(event: EventText): SparseVector {
    const entries: [number, number][] = [];
    let norm = 0;
    for (const [bucket, count] of hashedCounts(event, this.options)) {
      const value = count * this.idf[bucket]!;
      if (value === 0) continue;
      entries.push([bucket, value]);
      norm += value * value;
    }
    entries.sort((a, b) => a[0] - b[0]);
    const scale = norm > 0 ? 1 / Math.sqrt(norm) : 0;
    const indices = new Int32Array(entries.length);
    const values = new Float32Array(entries.length);
    entries.forEach(([bucket, value], n) => {
      indices[n] = bucket;
      values[n] = value * scale;
    });
    return { indices, values };
  }
}
