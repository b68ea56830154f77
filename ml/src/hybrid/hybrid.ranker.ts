import type { CandidateIndex, CandidateSearch } from './candidate.index.js';
import { DEFAULT_CANDIDATE_SEARCH } from './candidate.index.js';
import { topK } from '../cf/top-k.ranking.js';
import { normalise } from './ivf.index.js';

/** What the ranker needs to know about a recommendable event besides its vector. */
export interface CandidateInfo {
  readonly title: string;
  readonly category: string;
  readonly city: string;
  readonly startsAt: number;
  /** Recent registrations and views, scaled to 0..1 across the catalogue. */
  readonly trend: number;
}

export interface HistoryItem {
  readonly eventId: string;
  readonly title: string;
  readonly vector: Float32Array;
}

export interface RankWeights {
  readonly collaborative: number;
  readonly content: number;
  readonly trend: number;
  readonly soon: number;
  /** Each earlier pick of the same category multiplies a score by this (diversity). */
  readonly categoryDecay: number;
}

export const DEFAULT_WEIGHTS: RankWeights = {
  collaborative: 1,
  content: 0.5,
  trend: 0.25,
  soon: 0.15,
  categoryDecay: 0.9,
};

export type ReasonKind = 'history' | 'content' | 'collaborative' | 'trending' | 'soon';
export interface Reason {
  readonly kind: ReasonKind;
  readonly text: string;
  readonly eventId?: string;
}

export interface Ranked {
  readonly eventId: string;
  readonly score: number;
  readonly reasons: Reason[];
}

export interface RankRequest {
  readonly index: CandidateIndex;
  readonly info: (eventId: string) => CandidateInfo | undefined;
  /** The person's vector (trained or folded in). */
  readonly user: Float32Array;
  readonly history: readonly HistoryItem[];
  /** Never recommended: what the person registered for. */
  readonly exclude: ReadonlySet<string>;
  /** Added to the retrieved candidates whatever their vectors (the trending head). */
  readonly extra?: readonly string[];
  readonly limit: number;
  readonly now: number;
  readonly weights?: RankWeights;
  readonly search?: CandidateSearch;
}

const DAY = 86_400_000;
/** Items of the retrieval stage that reach the re-ranking stage. */
const RERANK_POOL = 100;

/** 1 for an event starting now, 0.5 a week out, towards 0 later. */
export function soonness(startsAt: number, now: number): number {
  return Math.exp((-Math.LN2 * Math.max(0, startsAt - now)) / (7 * DAY));
}

/**
 * Two stages, as production recommenders do: retrieve candidates by inner product with the
 * person's vector (inverted lists), then re-rank them by a blend of collaborative score,
 * content similarity to their history, trend and time to start, picking greedily so one
 * category does not fill the list.
 */
export function rankForUser(request: RankRequest): Ranked[] {
  const { index, info, user, history, exclude, limit, now } = request;
  const w = request.weights ?? DEFAULT_WEIGHTS;
  const k = index.k;
  const profile = new Float32Array(k);
  for (const h of history) for (let a = 0; a < k; a++) profile[a]! += h.vector[a]!;
  normalise(profile, 0, k);
  const hasProfile = history.length > 0;

  // Stage 1 on typed arrays only: the retrieved items' collaborative scores, keeping the head.
  // Everything after (catalogue lookups, blending, objects) touches a few hundred items.
  const { slots: retrieved, scores: cfScores } = index.retrieve(
    user,
    request.search ?? DEFAULT_CANDIDATE_SEARCH,
  );
  const head = topK(cfScores, Math.max(RERANK_POOL, limit * 10));
  // Slot -> inner product with the person: kept from retrieval, computed for the extras only.
  const dots = new Map<number, number>();
  for (const i of head.items) dots.set(retrieved[i]!, cfScores[i]!);
  for (const id of request.extra ?? []) {
    const slot = index.slotOf(id);
    if (slot !== undefined && !dots.has(slot)) dots.set(slot, index.dot(slot, user));
  }
  const maxCf = head.scores.length > 0 ? head.scores[0]! : 0;
  const excluded = new Set<number>();
  for (const id of exclude) {
    const slot = index.slotOf(id);
    if (slot !== undefined) excluded.add(slot);
  }
  // Facts by slot from the index (`setFacts`); `info` by id only where the index has none.
  const blended: { slot: number; cf: number; score: number; category: string }[] = [];
  for (const [slot, dot] of dots) {
    if (excluded.has(slot)) continue;
    let startsAt: number;
    let trend: number;
    let category: string;
    if (index.hasFacts(slot)) {
      startsAt = index.startsAtOf(slot);
      trend = index.trendOf(slot);
      category = index.categoryOf(slot);
    } else {
      const meta = info(index.idOf(slot));
      if (!meta) continue;
      ({ startsAt, trend, category } = meta);
    }
    if (startsAt <= now) continue;
    const cf = maxCf > 0 ? Math.max(0, dot) / maxCf : 0;
    const content = hasProfile ? Math.max(0, index.cosine(slot, profile)) : 0;
    const soon = soonness(startsAt, now);
    const score =
      w.collaborative * Math.min(1, cf) + w.content * content + w.trend * trend + w.soon * soon;
    blended.push({ slot, cf, score, category });
  }
  blended.sort((a, b) => b.score - a.score);
  const pool = blended.slice(0, limit * 4);

  // Greedy diversification over the head of the list.
  const picked: typeof pool = [];
  const perCategory = new Map<string, number>();
  while (picked.length < limit && pool.length > 0) {
    let best = 0;
    let bestScore = -Infinity;
    for (let i = 0; i < pool.length; i++) {
      const s = pool[i]!.score * w.categoryDecay ** (perCategory.get(pool[i]!.category) ?? 0);
      if (s > bestScore) {
        bestScore = s;
        best = i;
      }
    }
    const [choice] = pool.splice(best, 1);
    picked.push(choice!);
    perCategory.set(choice!.category, (perCategory.get(choice!.category) ?? 0) + 1);
  }

  const units = history.map((h) => {
    const unit = Float32Array.from(h.vector);
    normalise(unit, 0, k);
    return { item: h, unit };
  });
  const ranked: Ranked[] = [];
  for (const c of picked) {
    const eventId = index.idOf(c.slot);
    // Reasons name the city: read from the event's facts for the ten picked only.
    const meta = info(eventId);
    if (!meta) continue;
    ranked.push({
      eventId,
      score: round(c.score),
      reasons: reasonsFor(index, c.slot, meta, c.cf, units, now),
    });
  }
  return ranked;
}

function reasonsFor(
  index: CandidateIndex,
  slot: number,
  meta: CandidateInfo,
  cf: number,
  history: readonly { item: HistoryItem; unit: Float32Array }[],
  now: number,
): Reason[] {
  const reasons: Reason[] = [];
  let best: HistoryItem | undefined;
  let bestCos = 0.5;
  for (const h of history) {
    const cos = index.cosine(slot, h.unit);
    if (cos > bestCos) {
      bestCos = cos;
      best = h.item;
    }
  }
  if (best) {
    reasons.push({
      kind: 'history',
      text: `Because you registered for ${best.title}`,
      eventId: best.eventId,
    });
  } else if (cf >= 0.5) {
    reasons.push({ kind: 'collaborative', text: 'People with similar taste are going' });
  }
  if (meta.trend >= 0.5) reasons.push({ kind: 'trending', text: `Popular in ${meta.city}` });
  if (meta.startsAt - now <= 3 * DAY) reasons.push({ kind: 'soon', text: 'Starts soon' });
  if (reasons.length === 0) {
    reasons.push({ kind: 'content', text: `Matches your interest in ${meta.category}` });
  }
  return reasons;
}

/** Events most like `eventId` (cosine of their vectors), with a little trend and soonness. */
export function rankSimilar(request: {
  index: CandidateIndex;
  info: (eventId: string) => CandidateInfo | undefined;
  eventId: string;
  title: string;
  vector: Float32Array;
  limit: number;
  now: number;
  search?: CandidateSearch;
}): Ranked[] {
  const { index, info, eventId, limit, now } = request;
  const unit = Float32Array.from(request.vector);
  normalise(unit, 0, index.k);
  const { slots: retrieved, scores: cosines } = index.retrieve(
    unit,
    request.search ?? DEFAULT_CANDIDATE_SEARCH,
  );
  for (let i = 0; i < retrieved.length; i++) {
    const norm = index.norm(retrieved[i]!);
    cosines[i] = norm > 0 ? cosines[i]! / norm : 0;
  }
  const scored: Ranked[] = [];
  for (const i of topK(cosines, Math.max(RERANK_POOL, limit * 10)).items) {
    const slot = retrieved[i]!;
    const id = index.idOf(slot);
    if (id === eventId) continue;
    const meta = info(id);
    if (!meta || meta.startsAt <= now) continue;
    const cos = index.cosine(slot, unit);
    const score = cos + 0.1 * meta.trend + 0.05 * soonness(meta.startsAt, now);
    scored.push({
      eventId: id,
      score: round(score),
      reasons: [{ kind: 'history', text: `Similar to ${request.title}`, eventId }],
    });
  }
  scored.sort((a, b) => b.score - a.score);
  return scored.slice(0, limit);
}

const round = (x: number): number => Math.round(x * 1e4) / 1e4;
