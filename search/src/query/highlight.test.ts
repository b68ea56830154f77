import { describe, expect, it } from 'vitest';
import { highlightRanges, snippet } from './highlight.js';
import { parseQuery } from './text.js';

describe('highlighting', () => {
  it('marks whole words, and only the typed part of a prefix', () => {
    const text = 'Jazz by the River';
    expect(highlightRanges(text, parseQuery('jazz riv'))).toEqual([
      { start: 0, end: 4 },
      { start: 12, end: 15 },
    ]);
  });

  it('cuts a long description around its first match, at word boundaries', () => {
    const text = `${'Lorem ipsum dolor sit amet. '.repeat(10)}The saxophone quartet plays late. ${'More words follow here. '.repeat(10)}`;
    const result = snippet(text, parseQuery('saxophone'));
    expect(result.text.startsWith('…')).toBe(true);
    expect(result.text.endsWith('…')).toBe(true);
    expect(result.text.length).toBeLessThanOrEqual(162);
    expect(result.ranges).toHaveLength(1);
    const [range] = result.ranges;
    expect(result.text.slice(range!.start, range!.end)).toBe('saxophone');
  });

  it('does not highlight a description word by prefix', () => {
    expect(snippet('Riverside walk', parseQuery('riv')).ranges).toEqual([]);
  });
});
