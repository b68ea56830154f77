import type { FacetBucket, SearchHit, Suggestion } from '@platform/contracts';
import { haversineKm } from './geo.js';
import { highlightRanges, snippet } from './highlight.js';
import type { SearchDocument } from './search-document.js';
import { indexText, type QueryTerm } from './text.js';

/** Facet buckets shown per facet: the largest first, ties by value (as Elasticsearch orders terms). */
export const FACET_SIZE = 20;

/** A hit as the API returns it; both backends build hits here, from the stored document. */
export function toHit(
  doc: SearchDocument,
  terms: readonly QueryTerm[],
  score: number,
  near: { lat: number; lon: number } | undefined,
): SearchHit {
  const event = doc.event!;
  const excerpt = snippet(event.description, terms);
  return {
    eventId: doc.id,
    title: event.title,
    snippet: excerpt.text,
    highlights: { title: highlightRanges(event.title, terms), snippet: excerpt.ranges },
    category: event.category,
    tags: event.tags,
    venue: event.venue,
    startsAt: event.startsAt,
    endsAt: event.endsAt,
    capacity: doc.counts.capacity,
    confirmedCount: doc.counts.confirmedCount,
    waitlistCount: doc.counts.waitlistCount,
    distanceKm: near ? Math.round(haversineKm(near, event.venue) * 100) / 100 : null,
    score,
  };
}

export function toSuggestion(id: string, title: string, terms: readonly QueryTerm[]): Suggestion {
  return { eventId: id, title, highlights: highlightRanges(title, terms) };
}

/** Counts per value, largest first, ties by value, at most FACET_SIZE. */
export function facetBuckets(values: Iterable<string>): FacetBucket[] {
  const counts = new Map<string, number>();
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
  return [...counts]
    .map(([value, count]) => ({ value, count }))
    .sort((a, b) => b.count - a.count || (a.value < b.value ? -1 : a.value > b.value ? 1 : 0))
    .slice(0, FACET_SIZE);
}

/**
 * Suggestions are one per distinct title: two titles with the same words (ignoring case,
 * accents and punctuation) read the same in a suggestion list.
 */
export function titleKey(title: string): string {
  return indexText(title);
}
