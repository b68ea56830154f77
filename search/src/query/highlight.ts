import type { HighlightRange } from '@platform/contracts';
import {
  codePointLength,
  matchWord,
  mayContainWord,
  originalOffset,
  tokenize,
  type QueryTerm,
} from './text.js';

/**
 * Highlights are computed here for both backends from the same matching rule the indexes use,
 * so a range is shown exactly where a word matched, and the two backends answer alike.
 */
export function highlightRanges(text: string, terms: readonly QueryTerm[]): HighlightRange[] {
  const ranges: HighlightRange[] = [];
  for (const token of tokenize(text)) {
    let best: { length: number; rank: number } | undefined;
    for (const term of terms) {
      const match = matchWord(term, token.term);
      if (match && (!best || match.rank < best.rank)) best = match;
    }
    if (!best) continue;
    const word = text.slice(token.start, token.end);
    const end =
      best.length >= codePointLength(token.term)
        ? token.end
        : token.start + originalOffset(word, best.length);
    ranges.push({ start: token.start, end });
  }
  return ranges;
}

const SNIPPET_LENGTH = 160;
/** Context kept before the first match, so the snippet does not start on the matched word. */
const LEAD = 40;

/**
 * An excerpt of `text` around its first match, cut at word boundaries, with its highlights.
 * Description words match whole and exactly, as both indexes match them.
 */
export function snippet(
  text: string,
  terms: readonly QueryTerm[],
): { text: string; ranges: HighlightRange[] } {
  // Most descriptions hold none of the query words: skip cutting them into words.
  const wholeWords = terms.map((t) => ({ ...t, prefix: false, edits: 0 }));
  const all = mayContainWord(text, wholeWords) ? highlightRanges(text, wholeWords) : [];
  if (text.length <= SNIPPET_LENGTH) return { text, ranges: all };
  const first = all[0]?.start ?? 0;
  let start = Math.max(0, first - LEAD);
  if (start > 0) {
    const space = text.indexOf(' ', start);
    start = space >= 0 && space < first ? space + 1 : first;
  }
  let end = Math.min(text.length, start + SNIPPET_LENGTH);
  if (end < text.length) {
    const space = text.lastIndexOf(' ', end);
    if (space > start) end = space;
  }
  const prefix = start > 0 ? '…' : '';
  const suffix = end < text.length ? '…' : '';
  const shift = prefix.length - start;
  return {
    text: prefix + text.slice(start, end).trimEnd() + suffix,
    ranges: all
      .filter((r) => r.start >= start && r.end <= end)
      .map((r) => ({ start: r.start + shift, end: r.end + shift })),
  };
}
