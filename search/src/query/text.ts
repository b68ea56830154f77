/**
 * Text handling shared by both backends. Elasticsearch here has no analysis-common module (no
 * asciifolding, no edge_ngram), so words are cut, lower-cased and accent-folded in TypeScript,
 * and both indexes receive the same space-separated terms (Elasticsearch with its `whitespace`
 * analyzer). Matching, typo rules and highlighting therefore agree by construction.
 */

export interface Token {
  /** Lower-cased, accent-folded form used in the indexes. */
  term: string;
  /** Range of the word in the original string, UTF-16 code units, end exclusive. */
  start: number;
  end: number;
}

/** A word: letters (with their combining marks) and digits. Punctuation separates words. */
const WORD = /[\p{L}\p{M}\p{N}]+/gu;
const MARKS = /\p{M}/gu;

/** Longest word prefix indexed for typo-tolerant prefix matching (index_prefixes allows < 20). */
export const MAX_PREFIX = 19;
/** Shortest prefix worth a typo: one edit is allowed from 4 characters, so 3 after a deletion. */
export const MIN_FUZZY_PREFIX = 3;

const ASCII = /^[ -~]*$/;

/** `Café` -> `cafe`: lower case, accents removed. */
export function normalizeTerm(word: string): string {
  // Most words are printable ASCII, where decomposition changes nothing and costs the most.
  if (ASCII.test(word)) return word.toLowerCase();
  return word.normalize('NFD').replace(MARKS, '').toLowerCase();
}

/**
 * False when no word of `text` can equal one of `terms` exactly (as both indexes store words),
 * true when one may. For printable ASCII text a stored word is its lower case, so it is also a
 * substring of the lower-cased text, and most texts are ruled out without cutting them into words.
 */
export function mayContainWord(text: string, terms: readonly QueryTerm[]): boolean {
  if (!ASCII.test(text)) return true;
  const lower = text.toLowerCase();
  return terms.some((t) => lower.includes(t.term));
}

export function tokenize(text: string): Token[] {
  if (ASCII.test(text)) return tokenizeAscii(text);
  const tokens: Token[] = [];
  for (const match of text.matchAll(WORD)) {
    const term = normalizeTerm(match[0]);
    if (term) tokens.push({ term, start: match.index, end: match.index + match[0].length });
  }
  return tokens;
}

/**
 * `tokenize` for printable ASCII text, where WORD's letters, marks and digits are A-Z, a-z and
 * 0-9 and a word's term is its lower case. Written out because every search hit's title and
 * most descriptions are such text, and the Unicode regex's match objects were a large share of
 * what a search allocates.
 */
function tokenizeAscii(text: string): Token[] {
  const tokens: Token[] = [];
  const lower = text.toLowerCase();
  let start = -1;
  for (let i = 0; i <= text.length; i++) {
    const c = i < text.length ? lower.charCodeAt(i) : 0;
    const inWord = (c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x7a);
    if (inWord && start < 0) start = i;
    else if (!inWord && start >= 0) {
      tokens.push({ term: lower.slice(start, i), start, end: i });
      start = -1;
    }
  }
  return tokens;
}

/** The string both indexes store for a field: its terms separated by single spaces. */
export function indexText(text: string): string {
  return tokenize(text)
    .map((t) => t.term)
    .join(' ');
}

/** Prefixes of each word, for typo-tolerant prefix matching ("cofe" -> "coff" -> coffee). */
export function wordPrefixes(text: string): string[] {
  const prefixes = new Set<string>();
  for (const { term } of tokenize(text)) {
    const chars = [...term];
    for (let n = MIN_FUZZY_PREFIX; n <= Math.min(chars.length, MAX_PREFIX); n++)
      prefixes.add(chars.slice(0, n).join(''));
  }
  return [...prefixes];
}

/** The typo rule: one edit from 4 characters, two from 8 (Levenshtein, no transpositions). */
export function allowedEdits(term: string): number {
  const length = [...term].length;
  return length >= 8 ? 2 : length >= 4 ? 1 : 0;
}

export interface QueryTerm {
  term: string;
  /** True for the last word while it is still being typed: it also matches as a prefix. */
  prefix: boolean;
  edits: number;
}

/**
 * Query words. The last one is a prefix unless the text ends with a space or punctuation (the
 * person has finished that word).
 */
export function parseQuery(q: string): QueryTerm[] {
  const tokens = tokenize(q);
  const lastOpen = tokens.length > 0 && tokens.at(-1)!.end === q.length;
  return tokens.map((t, i) => ({
    term: t.term,
    prefix: lastOpen && i === tokens.length - 1,
    edits: allowedEdits(t.term),
  }));
}

/**
 * Levenshtein distance from `a` to every prefix of `b`: result[n] = distance(a, b[0..n)).
 * One dynamic-programming pass serves both whole-word and prefix matching.
 */
function distancesToPrefixes(a: ArrayLike<string>, b: ArrayLike<string>): number[] {
  // Two rows, swapped after each one: highlighting runs this for many words of every hit.
  let previous: number[] = [];
  for (let j = 0; j <= b.length; j++) previous.push(j);
  let current = previous.slice();
  for (let i = 1; i <= a.length; i++) {
    current[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1);
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, substitution);
    }
    [previous, current] = [current, previous];
  }
  return previous;
}

export function levenshtein(a: string, b: string): number {
  const bChars = characters(b);
  return distancesToPrefixes(characters(a), bChars)[bChars.length]!;
}

export interface WordMatch {
  /** How many characters of the (normalized) word matched, from its start. */
  length: number;
  /** Lower is better: 0 exact word, 1 prefix, 2 + edits for typos. */
  rank: number;
}

/**
 * Whether an indexed word matches a query term, by the rules both indexes implement:
 * the whole word within the allowed edits; for a prefix term also a word starting with it, or a
 * word prefix of 3 to 19 characters within the allowed edits.
 */
export function matchWord(query: QueryTerm, word: string): WordMatch | undefined {
  if (query.term === word) return { length: codePointLength(word), rank: 0 };
  if (query.prefix && word.startsWith(query.term))
    return { length: codePointLength(query.term), rank: 1 };
  if (query.edits === 0) return undefined;
  const q = characters(query.term);
  const w = characters(word);
  // The distance is at least the difference in lengths. A word shorter than the term by more
  // than the allowed edits matches neither whole nor by any of its prefixes; a longer one can
  // still match by prefix. Most words of a highlighted text end here, without the table below.
  if (w.length + query.edits < q.length) return undefined;
  if (!query.prefix && w.length > q.length + query.edits) return undefined;
  const distances = distancesToPrefixes(q, w);
  const whole = distances[w.length]!;
  if (whole <= query.edits) return { length: w.length, rank: 2 + whole };
  if (!query.prefix) return undefined;
  let best: WordMatch | undefined;
  for (let n = MIN_FUZZY_PREFIX; n <= Math.min(w.length, MAX_PREFIX); n++) {
    const d = distances[n]!;
    const closer = best === undefined || 2 + d < best.rank;
    const sameButNearerLength =
      best !== undefined &&
      2 + d === best.rank &&
      Math.abs(n - q.length) < Math.abs(best.length - q.length);
    if (d <= query.edits && (closer || sameButNearerLength)) best = { length: n, rank: 2 + d };
  }
  return best;
}

const SURROGATE = /[\uD800-\uDFFF]/;

/**
 * `s` indexable by character. Words are compared character by character (code points); a string
 * without surrogate pairs already indexes that way, so only the rare other one is split into an
 * array. Highlighting compares many words per hit, and the arrays were most of its garbage.
 */
function characters(s: string): ArrayLike<string> {
  return SURROGATE.test(s) ? [...s] : s;
}

/** Characters (code points) in `s`, as `[...s].length` counts them. */
export function codePointLength(s: string): number {
  return characters(s).length;
}

/**
 * End offset in `original` after the first `normalizedLength` characters of its normalized form,
 * so a matched prefix of `cafe` highlights the right span of `Café`.
 */
export function originalOffset(original: string, normalizedLength: number): number {
  let consumed = 0;
  let offset = 0;
  for (const char of original) {
    const length = [...normalizeTerm(char)].length;
    // Combining marks fold to nothing: they stay with the letter before them.
    if (consumed >= normalizedLength && length > 0) break;
    consumed += length;
    offset += char.length;
  }
  return offset;
}
