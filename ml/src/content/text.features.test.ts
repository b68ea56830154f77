import { describe, expect, it } from 'vitest';
import type { EventText } from './text.features.js';
import {
  eventTerms,
  FeatureOptionsError,
  hashTerm,
  TfidfFeatures,
  tokenize,
} from './text.features.js';

const event = (
  id: string,
  title: string,
  description = '',
  category = '',
  tags: string[] = [],
): EventText => ({
  id,
  title,
  description,
  category,
  tags,
});

describe('tokenize', () => {
  it('lower-cases, splits on anything but letters and digits, drops stop words and single letters', () => {
    expect(tokenize('The JAZZ night, at 8pm: bring a friend & join us!')).toEqual([
      'jazz',
      'night',
      '8pm',
      'friend',
    ]);
  });

  it('stems English words so that plural and singular meet', () => {
    expect(tokenize('Concerts concert running runs')).toEqual(['concert', 'concert', 'run', 'run']);
  });

  it('keeps words of other scripts and accented words whole', () => {
    expect(tokenize('Café Müller — 東京 ライブ, Ελληνικά')).toEqual([
      'café',
      'müller',
      '東京',
      'ライブ',
      'ελληνικά',
    ]);
  });

  it('folds compatibility forms (NFKC) so full-width text matches ASCII', () => {
    expect(tokenize('ＪＡＺＺ')).toEqual(tokenize('jazz'));
  });
});

describe('eventTerms', () => {
  it('weights title words over description words and adds bigrams within a field', () => {
    const terms = eventTerms(event('e', 'Jazz quartet', 'Jazz quartet live'));
    expect(terms.get('jazz')).toBe(2 + 1);
    expect(terms.get('jazz quartet')).toBe(2 + 1);
    expect(terms.get('quartet live')).toBe(1);
    // No bigram across the title/description boundary.
    expect(terms.has('quartet jazz')).toBe(false);
  });

  it('adds category and tags as weighted whole tokens and again as plain words', () => {
    const terms = eventTerms(event('e', 'Evening', '', 'Live Music', ['Open air', 'jazz', 'Jazz']));
    expect(terms.get('c:live music')).toBe(3);
    expect(terms.get('t:open air')).toBe(2);
    // A tag given twice in different case counts once.
    expect(terms.get('t:jazz')).toBe(2);
    expect(terms.get('music')).toBe(1);
    expect(terms.get('jazz')).toBe(1);
  });

  it('leaves bigrams out when asked', () => {
    const terms = eventTerms(event('e', 'Jazz quartet'), {
      bits: 12,
      bigrams: false,
      titleWeight: 1,
      categoryWeight: 1,
      tagWeight: 1,
    });
    expect([...terms.keys()]).toEqual(['jazz', 'quartet']);
  });
});

describe('hashTerm', () => {
  it('is MurmurHash3-mixed and pinned: stored models depend on these exact buckets', () => {
    expect(hashTerm('jazz')).toBe(hashTerm('jazz'));
    expect([hashTerm(''), hashTerm('jazz'), hashTerm('c:live music'), hashTerm('東京')]).toEqual([
      3954623016, 1221057274, 1201007424, 450842648,
    ]);
  });

  it('spreads terms evenly over the buckets and both signs', () => {
    const buckets = new Int32Array(16);
    let negative = 0;
    for (let n = 0; n < 16_000; n++) {
      const h = hashTerm(`term${n}`);
      buckets[h & 15]!++;
      if (h >>> 31) negative++;
    }
    for (const count of buckets) expect(Math.abs(count - 1000)).toBeLessThan(150);
    expect(Math.abs(negative - 8000)).toBeLessThan(400);
  });
});

describe('TfidfFeatures', () => {
  const corpus = [
    event('a', 'Jazz night', 'Live jazz in the park', 'Music', ['jazz']),
    event('b', 'Rock night', 'Loud rock in the hall', 'Music', ['rock']),
    event('c', 'Pottery class', 'Learn to throw pots', 'Workshop', ['craft']),
    event('d', 'Night market', 'Street food at night', 'Food', ['market']),
  ];
  const features = TfidfFeatures.fit(corpus, { bits: 12 });

  it('gives L2-normalised rows with sorted bucket indices and both signs', () => {
    let negatives = 0;
    for (const e of corpus) {
      const { indices, values } = features.transform(e);
      expect(indices.length).toBeGreaterThan(5);
      for (let n = 1; n < indices.length; n++) expect(indices[n]!).toBeGreaterThan(indices[n - 1]!);
      expect(Math.hypot(...values)).toBeCloseTo(1, 5);
      negatives += values.filter((v) => v < 0).length;
    }
    expect(negatives).toBeGreaterThan(0);
  });

  it('learns a higher IDF for a rare word than for a word every other event uses', () => {
    const bucket = (term: string): number => hashTerm(term) & (features.dimension - 1);
    expect(features.idf[bucket('pot')]!).toBeGreaterThan(features.idf[bucket('night')]!);
  });

  it('drops words no training event had, so an unknown event gets an empty row', () => {
    expect(features.transform(event('x', 'Zzyzx qwertyuiop')).indices.length).toBe(0);
  });

  it('is deterministic: a second fit gives the same IDF and rows', () => {
    const again = TfidfFeatures.fit(corpus, { bits: 12 });
    expect(again.idf).toEqual(features.idf);
    expect(again.transform(corpus[0]!)).toEqual(features.transform(corpus[0]!));
  });

  it('rejects a bucket count out of range and an IDF of the wrong size', () => {
    expect(() => TfidfFeatures.fit(corpus, { bits: 30 })).toThrow(FeatureOptionsError);
    expect(() => new TfidfFeatures(features.options, new Float32Array(10))).toThrow(
      /idf has 10 entries/,
    );
  });
});
