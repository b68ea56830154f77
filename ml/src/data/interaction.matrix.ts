/**
 * Interaction data on typed arrays. An `Interactions` log keeps every event (with its timestamp,
 * which time-based splits need); an `InteractionMatrix` is the user x item sparse matrix the
 * algorithms train on, held both by rows (CSR, a user's items) and by columns (CSC, an item's
 * users) because ALS solves both sides and EASE/BPR read rows.
 */

/** Stable string id <-> dense index mapping, in first-seen order. */
export class IdMap {
  readonly ids: string[] = [];
  private readonly index = new Map<string, number>();

  static from(ids: readonly string[]): IdMap {
    const map = new IdMap();
    for (const id of ids) map.intern(id);
    return map;
  }

  get size(): number {
    return this.ids.length;
  }

  /** The index of `id`, assigning the next one if it is new. */
  intern(id: string): number {
    let i = this.index.get(id);
    if (i === undefined) {
      i = this.ids.length;
      this.ids.push(id);
      this.index.set(id, i);
    }
    return i;
  }

  get(id: string): number | undefined {
    return this.index.get(id);
  }
}

/** A columnar log of (user, item, weight, timestamp) events over shared id maps. */
export interface Interactions {
  readonly userIds: readonly string[];
  readonly itemIds: readonly string[];
  readonly length: number;
  readonly users: Int32Array;
  readonly items: Int32Array;
  readonly weights: Float32Array;
  readonly timestamps: Float64Array;
}

export interface InteractionMatrix {
  readonly numUsers: number;
  readonly numItems: number;
  readonly nnz: number;
  readonly userIds: readonly string[];
  readonly itemIds: readonly string[];
  /** CSR: the items of user u are indices[indptr[u] .. indptr[u+1]), sorted ascending. */
  readonly indptr: Int32Array;
  readonly indices: Int32Array;
  readonly data: Float32Array;
  /** CSC: the users of item i are itemIndices[itemIndptr[i] .. itemIndptr[i+1]), sorted. */
  readonly itemIndptr: Int32Array;
  readonly itemIndices: Int32Array;
  readonly itemData: Float32Array;
}

/** Appends events into growable typed arrays, so a 1M-event file never becomes 1M objects. */
export class InteractionsBuilder {
  readonly users = new IdMap();
  readonly items = new IdMap();
  private length = 0;
  private u = new Int32Array(1024);
  private i = new Int32Array(1024);
  private w = new Float32Array(1024);
  private t = new Float64Array(1024);

  add(userId: string, itemId: string, weight = 1, timestamp = 0): void {
    this.addIndexed(this.users.intern(userId), this.items.intern(itemId), weight, timestamp);
  }

  /** For generators that already hold dense indices; ids must be interned separately. */
  addIndexed(user: number, item: number, weight = 1, timestamp = 0): void {
    if (this.length === this.u.length) this.grow();
    const n = this.length++;
    this.u[n] = user;
    this.i[n] = item;
    this.w[n] = weight;
    this.t[n] = timestamp;
  }

  build(): Interactions {
    const n = this.length;
    return {
      userIds: this.users.ids,
      itemIds: this.items.ids,
      length: n,
      users: this.u.slice(0, n),
      items: this.i.slice(0, n),
      weights: this.w.slice(0, n),
      timestamps: this.t.slice(0, n),
    };
  }

  private grow(): void {
    const size = this.u.length * 2;
    const u = new Int32Array(size);
    u.set(this.u);
    this.u = u;
    const i = new Int32Array(size);
    i.set(this.i);
    this.i = i;
    const w = new Float32Array(size);
    w.set(this.w);
    this.w = w;
    const t = new Float64Array(size);
    t.set(this.t);
    this.t = t;
  }
}

export interface ToMatrixOptions {
  /** Only events whose flag is non-zero are used (a train or test side of a split). */
  readonly select?: Uint8Array;
  /** Every selected (user, item) pair counts 1 however often and however rated. */
  readonly binary?: boolean;
}

/**
 * Builds CSR and CSC over the log's full id space (so train and test matrices of one split
 * share indices). Duplicate (user, item) pairs are summed, or set to 1 when `binary`.
 */
export function toMatrix(log: Interactions, options: ToMatrixOptions = {}): InteractionMatrix {
  const { select, binary = false } = options;
  const numUsers = log.userIds.length;
  const numItems = log.itemIds.length;

  // Counting sort by item then a stable scatter by user leaves every CSR row sorted by item
  // without a comparison sort, in O(nnz + users + items).
  const itemCount = new Int32Array(numItems + 1);
  let selected = 0;
  for (let e = 0; e < log.length; e++) {
    if (select && select[e] === 0) continue;
    itemCount[log.items[e]! + 1]!++;
    selected++;
  }
  for (let i = 0; i < numItems; i++) itemCount[i + 1]! += itemCount[i]!;
  const byItem = new Int32Array(selected);
  const cursor = itemCount.slice(0, numItems);
  for (let e = 0; e < log.length; e++) {
    if (select && select[e] === 0) continue;
    byItem[cursor[log.items[e]!]!++] = e;
  }

  const rowCount = new Int32Array(numUsers + 1);
  for (let k = 0; k < selected; k++) rowCount[log.users[byItem[k]!]! + 1]!++;
  for (let u = 0; u < numUsers; u++) rowCount[u + 1]! += rowCount[u]!;
  const rawIndices = new Int32Array(selected);
  const rawData = new Float32Array(selected);
  const rowCursor = rowCount.slice(0, numUsers);
  for (let k = 0; k < selected; k++) {
    const e = byItem[k]!;
    const p = rowCursor[log.users[e]!]!++;
    rawIndices[p] = log.items[e]!;
    rawData[p] = binary ? 1 : log.weights[e]!;
  }

  // Merge duplicates, now adjacent within each row.
  const indptr = new Int32Array(numUsers + 1);
  let out = 0;
  for (let u = 0; u < numUsers; u++) {
    const end = rowCount[u + 1]!;
    let prev = -1;
    for (let p = rowCount[u]!; p < end; p++) {
      const item = rawIndices[p]!;
      if (item === prev) {
        if (!binary) rawData[out - 1]! += rawData[p]!;
        continue;
      }
      rawIndices[out] = item;
      rawData[out] = rawData[p]!;
      out++;
      prev = item;
    }
    indptr[u + 1] = out;
  }
  const indices = out === selected ? rawIndices : rawIndices.slice(0, out);
  const data = out === selected ? rawData : rawData.slice(0, out);
  return withColumns(numUsers, numItems, log.userIds, log.itemIds, indptr, indices, data);
}

/** Builds a matrix from (user, item, weight) triples; ids are assigned in first-seen order. */
export function matrixFromTriples(
  triples: Iterable<readonly [user: string, item: string, weight?: number]>,
): InteractionMatrix {
  const builder = new InteractionsBuilder();
  for (const [user, item, weight] of triples) builder.add(user, item, weight ?? 1);
  return toMatrix(builder.build());
}

/** Derives the CSC half from a CSR whose rows are sorted. */
export function withColumns(
  numUsers: number,
  numItems: number,
  userIds: readonly string[],
  itemIds: readonly string[],
  indptr: Int32Array,
  indices: Int32Array,
  data: Float32Array,
): InteractionMatrix {
  const nnz = indptr[numUsers]!;
  const itemIndptr = new Int32Array(numItems + 1);
  for (let p = 0; p < nnz; p++) itemIndptr[indices[p]! + 1]!++;
  for (let i = 0; i < numItems; i++) itemIndptr[i + 1]! += itemIndptr[i]!;
  const itemIndices = new Int32Array(nnz);
  const itemData = new Float32Array(nnz);
  const cursor = itemIndptr.slice(0, numItems);
  for (let u = 0; u < numUsers; u++) {
    for (let p = indptr[u]!, end = indptr[u + 1]!; p < end; p++) {
      const q = cursor[indices[p]!]!++;
      itemIndices[q] = u;
      itemData[q] = data[p]!;
    }
  }
  return {
    numUsers,
    numItems,
    nnz,
    userIds,
    itemIds,
    indptr,
    indices,
    data,
    itemIndptr,
    itemIndices,
    itemData,
  };
}

/** The items of user `u` (a view, not a copy). */
export function userItems(m: InteractionMatrix, u: number): Int32Array {
  return m.indices.subarray(m.indptr[u]!, m.indptr[u + 1]!);
}

/** Whether user `u` interacted with `item`, by binary search of the sorted CSR row. */
export function hasInteraction(m: InteractionMatrix, u: number, item: number): boolean {
  let lo = m.indptr[u]!;
  let hi = m.indptr[u + 1]! - 1;
  const indices = m.indices;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const v = indices[mid]!;
    if (v === item) return true;
    if (v < item) lo = mid + 1;
    else hi = mid - 1;
  }
  return false;
}
