import { describe, expect, it } from 'vitest';
import {
  allowedEdits,
  indexText,
  levenshtein,
  matchWord,
  originalOffset,
  parseQuery,
  wordPrefixes,
} from './text.js';

describe('text rules', () => {
  it('cuts words at punctuation, lower-cases and folds accents, keeping original ranges', () => {
    expect(indexText("Rock'n'roll: CAFÉ-Crème, 3D!")).toBe('rock n roll cafe creme 3d');
    expect(parseQuery('  Crème brû')).toEqual([
      { term: 'creme', prefix: false, edits: 1 },
      { term: 'bru', prefix: true, edits: 0 },
    ]);
  });

  it('treats the last word as finished after a space or punctuation', () => {
    expect(parseQuery('jazz ').at(-1)?.prefix).toBe(false);
    expect(parseQuery('jazz,').at(-1)?.prefix).toBe(false);
    expect(parseQuery('jazz').at(-1)?.prefix).toBe(true);
  });

  it('allows no typo under 4 characters, one under 8, two from 8', () => {
    expect([3, 4, 7, 8, 12].map((n) => allowedEdits('x'.repeat(n)))).toEqual([0, 1, 1, 2, 2]);
  });

  it('counts a transposition as two edits, like both indexes are configured to', () => {
    expect(levenshtein('teh', 'the')).toBe(2);
    expect(levenshtein('kitten', 'sitting')).toBe(3);
  });

  it('matches whole words, prefixes of the word being typed, and prefixes with typos', () => {
    const typing = (term: string) => ({ term, prefix: true, edits: allowedEdits(term) });
    expect(matchWord(typing('riv'), 'river')).toEqual({ length: 3, rank: 1 });
    expect(matchWord({ ...typing('riv'), prefix: false }, 'river')).toBeUndefined();
    expect(matchWord(typing('cofe'), 'coffee')).toEqual({ length: 4, rank: 3 });
    expect(matchWord(typing('jazx'), 'jazz')).toEqual({ length: 4, rank: 3 });
    expect(matchWord(typing('jzx'), 'jazz')).toBeUndefined();
  });

  it('indexes prefixes of 3 to 19 characters of each word', () => {
    expect(wordPrefixes('Jazz by')).toEqual(['jaz', 'jazz']);
    expect(wordPrefixes('a'.repeat(25))).toHaveLength(17);
  });

  it('maps a normalized prefix length back to the original characters', () => {
    expect(originalOffset('Crème', 3)).toBe(3);
    expect(originalOffset('Cre\u0300me', 3)).toBe(4);
  });
});
