import { nearest, probeLists } from './ivf.index.js';

export interface CandidateSearch {
  /** Inverted lists to scan per query (IVF). */
  readonly probe: number;
  /** Below this many live items every item is scored (exact search). */
  readonly exhaustiveBelow: number;
}

export const DEFAULT_CANDIDATE_SEARCH: CandidateSearch = { probe: 8, exhaustiveBelow: 8_192 };

/**
 * The events that can be recommended right now, each with its vector in the model's space,
 * grouped into the model's inverted lists. Events come and go one at a time as the catalogue
 * changes (published, cancelled, started); slots are reused. A list holds exactly its live
 * items: one that leaves is swapped with the list's last, so a scan checks nothing per item.
 */
export class CandidateIndex {
  private readonly slots = new Map<string, number>();
  private ids: string[] = [];
  private vectors: Float32Array;
  private alive: Uint8Array;
  private listOf: Int32Array;
  /** Where each slot sits in its inverted list (-1: in none). */
  private position: Int32Array;
  /** Per list: its items' slots and a copy of their vectors, contiguous, so a probe reads
   * memory in order (the vectors of 50,000 items do not fit in cache; random reads did). */
  private readonly inverted: { slots: Int32Array; vectors: Float32Array; size: number }[];
  private norms: Float32Array;
  /**
   * What the re-rank reads of each candidate besides its vector, by slot (`setFacts`): typed
   * arrays, because reading them through a map of objects by id missed the cache on every
   * candidate (the largest share of a ranking's time after retrieval, in a CPU profile).
   */
  private facts: {
    known: Uint8Array;
    startsAt: Float64Array;
    trend: Float32Array;
    category: Int32Array;
  };
  private readonly categories: string[] = [];
  private readonly categoryIds = new Map<string, number>();
  private free: number[] = [];
  private live = 0;

  constructor(
    readonly k: number,
    private readonly centroids: Float32Array | null,
    capacity = 1024,
  ) {
    this.vectors = new Float32Array(capacity * k);
    this.alive = new Uint8Array(capacity);
    this.listOf = new Int32Array(capacity).fill(-1);
    this.position = new Int32Array(capacity).fill(-1);
    this.norms = new Float32Array(capacity);
    this.facts = {
      known: new Uint8Array(capacity),
      startsAt: new Float64Array(capacity),
      trend: new Float32Array(capacity),
      category: new Int32Array(capacity),
    };
    this.inverted = Array.from({ length: this.lists }, () => ({
      slots: new Int32Array(16),
      vectors: new Float32Array(16 * k),
      size: 0,
    }));
  }

  get lists(): number {
    return this.centroids ? this.centroids.length / this.k : 0;
  }

  get size(): number {
    return this.live;
  }

  has(id: string): boolean {
    return this.slots.has(id);
  }

  slotOf(id: string): number | undefined {
    return this.slots.get(id);
  }

  idOf(slot: number): string {
    return this.ids[slot]!;
  }

  /** The stored vector of an event (a view: do not keep it across upserts). */
  vectorOf(id: string): Float32Array | undefined {
    const slot = this.slots.get(id);
    return slot === undefined
      ? undefined
      : this.vectors.subarray(slot * this.k, slot * this.k + this.k);
  }

  /** The inverted list an event sits in (-1 without lists), for `upsert` into a copy. */
  listFor(id: string): number {
    const slot = this.slots.get(id);
    return slot === undefined ? -1 : this.listOf[slot]!;
  }

  /** Adds or moves an event; `list` skips finding its nearest centroid when already known. */
  upsert(id: string, vector: Float32Array, list?: number): void {
    let slot = this.slots.get(id);
    if (slot === undefined) {
      slot = this.free.pop() ?? this.ids.length;
      if (slot === this.ids.length) this.ids.push(id);
      else this.ids[slot] = id;
      this.ensure(slot + 1);
      this.slots.set(id, slot);
      this.alive[slot] = 1;
      this.facts.known[slot] = 0;
      this.live++;
    }
    const v = vector.subarray(0, this.k);
    this.vectors.set(v, slot * this.k);
    let norm = 0;
    for (let a = 0; a < this.k; a++) norm += v[a]! * v[a]!;
    this.norms[slot] = Math.sqrt(norm);
    if (this.centroids) {
      const l =
        list !== undefined && list >= 0 ? list : nearest(this.centroids, this.lists, this.k, v);
      if (this.listOf[slot] === l) {
        this.inverted[l]!.vectors.set(v, this.position[slot]! * this.k);
      } else {
        this.detach(slot);
        this.append(l, slot, v);
      }
    }
  }

  remove(id: string): void {
    const slot = this.slots.get(id);
    if (slot === undefined) return;
    this.slots.delete(id);
    this.alive[slot] = 0;
    this.facts.known[slot] = 0;
    this.detach(slot);
    this.free.push(slot);
    this.live--;
  }

  /** Records an indexed event's facts for the re-rank; false if the event is not indexed. */
  setFacts(id: string, facts: { startsAt: number; trend: number; category: string }): boolean {
    const slot = this.slots.get(id);
    if (slot === undefined) return false;
    let category = this.categoryIds.get(facts.category);
    if (category === undefined) {
      category = this.categories.push(facts.category) - 1;
      this.categoryIds.set(facts.category, category);
    }
    this.facts.known[slot] = 1;
    this.facts.startsAt[slot] = facts.startsAt;
    this.facts.trend[slot] = facts.trend;
    this.facts.category[slot] = category;
    return true;
  }

  /** Whether a slot's facts were recorded since it was placed (the getters below read them). */
  hasFacts(slot: number): boolean {
    return this.facts.known[slot] === 1;
  }

  startsAtOf(slot: number): number {
    return this.facts.startsAt[slot]!;
  }

  trendOf(slot: number): number {
    return this.facts.trend[slot]!;
  }

  categoryOf(slot: number): string {
    return this.categories[this.facts.category[slot]!]!;
  }

  /** Ids currently in the index. */
  keys(): IterableIterator<string> {
    return this.slots.keys();
  }

  /**
   * Slots worth scoring for `query` and their inner products with it: every live item when the
   * index is small or has no lists, otherwise the items of the `probe` lists whose centroids
   * score best.
   */
  retrieve(
    query: Float32Array,
    search: CandidateSearch = DEFAULT_CANDIDATE_SEARCH,
  ): { slots: Int32Array; scores: Float32Array } {
    const k = this.k;
    if (!this.centroids || this.live < search.exhaustiveBelow) {
      const slots = new Int32Array(this.live);
      const scores = new Float32Array(this.live);
      let n = 0;
      for (let s = 0; s < this.ids.length; s++) {
        if (!this.alive[s]) continue;
        slots[n] = s;
        scores[n++] = this.dot(s, query);
      }
      return { slots, scores };
    }
    const probed = probeLists(this.centroids, this.lists, k, query, search.probe);
    let total = 0;
    for (const l of probed) total += this.inverted[l]!.size;
    const slots = new Int32Array(total);
    const scores = new Float32Array(total);
    let n = 0;
    for (const l of probed) {
      const list = this.inverted[l]!;
      slots.set(list.slots.subarray(0, list.size), n);
      innerProducts(list.vectors, list.size, k, query, scores, n);
      n += list.size;
    }
    return { slots, scores };
  }

  /** The slots `retrieve` would score (tests and tools). */
  candidates(query: Float32Array, search: CandidateSearch = DEFAULT_CANDIDATE_SEARCH): number[] {
    return Array.from(this.retrieve(query, search).slots);
  }

  /** Length of a slot's vector. */
  norm(slot: number): number {
    return this.norms[slot]!;
  }

  dot(slot: number, query: Float32Array): number {
    const { rows, at } = this.rowOf(slot);
    let s = 0;
    for (let a = 0; a < this.k; a++) s += rows[at + a]! * query[a]!;
    return s;
  }

  /** Cosine of a slot's vector with `unit` (a unit-length vector). */
  cosine(slot: number, unit: Float32Array): number {
    const norm = this.norms[slot]!;
    return norm === 0 ? 0 : this.dot(slot, unit) / norm;
  }

  /**
   * Where a slot's vector is read: its inverted list's copy when it has one, which the retrieval
   * of the same request has just read (the by-slot copy is cold: 50,000 vectors do not fit in
   * cache, and re-ranking a few hundred of them missed on every one).
   */
  private rowOf(slot: number): { rows: Float32Array; at: number } {
    const l = this.listOf[slot]!;
    return l >= 0
      ? { rows: this.inverted[l]!.vectors, at: this.position[slot]! * this.k }
      : { rows: this.vectors, at: slot * this.k };
  }

  /** Takes a slot out of its inverted list, moving the list's last item into its place. */
  private detach(slot: number): void {
    const l = this.listOf[slot]!;
    if (l < 0) return;
    const list = this.inverted[l]!;
    const at = this.position[slot]!;
    const last = list.size - 1;
    if (at !== last) {
      const moved = list.slots[last]!;
      list.slots[at] = moved;
      list.vectors.copyWithin(at * this.k, last * this.k, last * this.k + this.k);
      this.position[moved] = at;
    }
    list.size = last;
    this.listOf[slot] = -1;
    this.position[slot] = -1;
  }

  private append(l: number, slot: number, v: Float32Array): void {
    const list = this.inverted[l]!;
    if (list.size === list.slots.length) {
      const slots = new Int32Array(list.size * 2);
      slots.set(list.slots);
      list.slots = slots;
      const vectors = new Float32Array(list.size * 2 * this.k);
      vectors.set(list.vectors);
      list.vectors = vectors;
    }
    list.slots[list.size] = slot;
    list.vectors.set(v, list.size * this.k);
    this.listOf[slot] = l;
    this.position[slot] = list.size;
    list.size++;
  }

  private ensure(slots: number): void {
    if (slots <= this.alive.length) return;
    const capacity = Math.max(slots, this.alive.length * 2);
    const vectors = new Float32Array(capacity * this.k);
    vectors.set(this.vectors);
    this.vectors = vectors;
    const alive = new Uint8Array(capacity);
    alive.set(this.alive);
    this.alive = alive;
    const listOf = new Int32Array(capacity).fill(-1);
    listOf.set(this.listOf);
    this.listOf = listOf;
    const position = new Int32Array(capacity).fill(-1);
    position.set(this.position);
    this.position = position;
    const norms = new Float32Array(capacity);
    norms.set(this.norms);
    this.norms = norms;
    const facts = {
      known: new Uint8Array(capacity),
      startsAt: new Float64Array(capacity),
      trend: new Float32Array(capacity),
      category: new Int32Array(capacity),
    };
    facts.known.set(this.facts.known);
    facts.startsAt.set(this.facts.startsAt);
    facts.trend.set(this.facts.trend);
    facts.category.set(this.facts.category);
    this.facts = facts;
  }
}

/**
 * `out[at + e]` = row e of `rows` (row-major, `n` x `k`) . `query`. Four rows per pass share
 * each read of the query and keep four independent sums: about 30% faster than row by row.
 */
function innerProducts(
  rows: Float32Array,
  n: number,
  k: number,
  query: Float32Array,
  out: Float32Array,
  at: number,
): void {
  let e = 0;
  for (; e + 3 < n; e += 4) {
    const o0 = e * k;
    const o1 = o0 + k;
    const o2 = o1 + k;
    const o3 = o2 + k;
    let d0 = 0;
    let d1 = 0;
    let d2 = 0;
    let d3 = 0;
    for (let a = 0; a < k; a++) {
      const q = query[a]!;
      d0 += rows[o0 + a]! * q;
      d1 += rows[o1 + a]! * q;
      d2 += rows[o2 + a]! * q;
      d3 += rows[o3 + a]! * q;
    }
    out[at + e] = d0;
    out[at + e + 1] = d1;
    out[at + e + 2] = d2;
    out[at + e + 3] = d3;
  }
  for (; e < n; e++) {
    const o = e * k;
    let d = 0;
    for (let a = 0; a < k; a++) d += rows[o + a]! * query[a]!;
    out[at + e] = d;
  }
}
