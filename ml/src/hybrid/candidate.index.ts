import { nearest, probeLists } from './ivf.index.js';

export interface CandidateSearch {
  /** Inverted lists to scan per query (IVF). */
  readonly probe: number;
  /** Below this many live items every item is scored (exact search). */
  readonly exhaustiveBelow: number;
}

export const DEFAULT_CANDIDATE_SEARCH: CandidateSearch = { probe: 12, exhaustiveBelow: 8_192 };

/**
 * The events that can be recommended right now, each with its vector in the model's space,
 * grouped into the model's inverted lists. Events come and go one at a time as the catalogue
 * changes (published, cancelled, started); slots are reused, lists skip stale entries.
 */
export class CandidateIndex {
  private readonly slots = new Map<string, number>();
  private ids: string[] = [];
  private vectors: Float32Array;
  private alive: Uint8Array;
  private listOf: Int32Array;
  private readonly members: number[][];
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
    this.members = Array.from({ length: this.lists }, () => []);
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

  upsert(id: string, vector: Float32Array): void {
    let slot = this.slots.get(id);
    if (slot === undefined) {
      slot = this.free.pop() ?? this.ids.length;
      if (slot === this.ids.length) this.ids.push(id);
      else this.ids[slot] = id;
      this.ensure(slot + 1);
      this.slots.set(id, slot);
      this.alive[slot] = 1;
      this.live++;
    }
    this.vectors.set(vector.subarray(0, this.k), slot * this.k);
    if (this.centroids) {
      const list = nearest(this.centroids, this.lists, this.k, vector);
      if (this.listOf[slot] !== list) {
        this.listOf[slot] = list;
        this.members[list]!.push(slot);
      }
    }
  }

  remove(id: string): void {
    const slot = this.slots.get(id);
    if (slot === undefined) return;
    this.slots.delete(id);
    this.alive[slot] = 0;
    this.listOf[slot] = -1;
    this.free.push(slot);
    this.live--;
  }

  /** Ids currently in the index. */
  keys(): IterableIterator<string> {
    return this.slots.keys();
  }

  /**
   * Slots worth scoring for `query`: every live item when the index is small or has no lists,
   * otherwise the items of the `probe` lists whose centroids score best.
   */
  candidates(query: Float32Array, search: CandidateSearch = DEFAULT_CANDIDATE_SEARCH): number[] {
    const out: number[] = [];
    if (!this.centroids || this.live < search.exhaustiveBelow) {
      for (let s = 0; s < this.ids.length; s++) if (this.alive[s]) out.push(s);
      return out;
    }
    for (const list of probeLists(this.centroids, this.lists, this.k, query, search.probe)) {
      const members = this.members[list]!;
      let kept = 0;
      for (const s of members) {
        if (this.listOf[s] !== list) continue; // moved or removed since
        members[kept++] = s;
        out.push(s);
      }
      members.length = kept;
    }
    return out;
  }

  dot(slot: number, query: Float32Array): number {
    const o = slot * this.k;
    let s = 0;
    for (let a = 0; a < this.k; a++) s += this.vectors[o + a]! * query[a]!;
    return s;
  }

  /** Cosine of a slot's vector with `unit` (a unit-length vector). */
  cosine(slot: number, unit: Float32Array): number {
    const o = slot * this.k;
    let s = 0;
    let n = 0;
    for (let a = 0; a < this.k; a++) {
      const v = this.vectors[o + a]!;
      s += v * unit[a]!;
      n += v * v;
    }
    return n === 0 ? 0 : s / Math.sqrt(n);
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
  }
}
