import type { Logger } from 'pino';
import { resumePoint, TrackedBatch, withFields } from './delivery.tracker.js';
import {
  defaultMaxBatch,
  MessageLogError,
  type ConsumeOptions,
  type MessageLog,
  type OutgoingMessage,
  type PublishResult,
  type Subscription,
} from './message-log.port.js';

export interface MemoryLogOptions {
  /** Partitions per topic, chosen by a hash of the key (round robin without one). Default 3;
   * with 1, a topic keeps one order for everything, like a JetStream stream. */
  partitions?: number;
  /** Memory bound: each topic keeps its newest messages up to this count, split evenly over its
   * partitions; older ones are dropped whether or not a group has read them (a group behind the
   * start of a partition resumes at the oldest kept message). Default 100,000. */
  maxMessagesPerTopic?: number;
  /** A second publish with an `id` already seen inside this window is dropped, like JetStream's
   * duplicate window. Ids are remembered across all topics of the log. Default 2 minutes. */
  duplicateWindowMs?: number;
  /** Where failing handlers are reported. */
  logger?: Logger;
}

interface StoredMessage {
  topic: string;
  offset: number;
  key: string | null;
  value: Uint8Array;
  headers: Record<string, string>;
  id: string | undefined;
  timestamp: number;
}

/** One partition's messages: an array trimmed from the front as the retention limit is passed. */
class PartitionLog {
  private entries: (StoredMessage | undefined)[] = [];
  /** Index in `entries` of the oldest kept message. */
  private head = 0;
  /** Offset of `entries[0]`. */
  private base = 0;

  constructor(private readonly limit: number) {}

  get start(): number {
    return this.base + this.head;
  }

  get end(): number {
    return this.base + this.entries.length;
  }

  append(message: Omit<StoredMessage, 'offset'>): StoredMessage {
    const stored = { ...message, offset: this.end };
    this.entries.push(stored);
    while (this.end - this.start > this.limit) this.entries[this.head++] = undefined;
    // Compact now and then rather than shifting on every append (Array#shift is O(n)).
    if (this.head >= 1024 && this.head * 2 >= this.entries.length) {
      this.entries = this.entries.slice(this.head);
      this.base += this.head;
      this.head = 0;
    }
    return stored;
  }

  read(from: number, max: number): StoredMessage[] {
    const begin = Math.max(from, this.start) - this.base;
    const stop = Math.min(this.end, Math.max(from, this.start) + max) - this.base;
    return this.entries.slice(begin, stop) as StoredMessage[];
  }
}

class TopicLog {
  readonly tokens: string[];
  readonly partitions: PartitionLog[];
  private nextRoundRobin = 0;

  constructor(
    readonly name: string,
    partitions: number,
    limitPerPartition: number,
  ) {
    this.tokens = name.split('.');
    this.partitions = Array.from({ length: partitions }, () => new PartitionLog(limitPerPartition));
  }

  partitionFor(key: string | null): number {
    if (key === null) return this.nextRoundRobin++ % this.partitions.length;
    return fnv1a(key) % this.partitions.length;
  }
}

/** Where a group stands on one partition. */
interface Cursor {
  next: number;
  /** A member is handling a batch from this partition; nobody else starts one meanwhile. */
  busy: boolean;
  pausedUntil: number;
  /** Delivery counts of offsets delivered and not yet passed. */
  counts: Map<number, number>;
}

interface Unit {
  topic: TopicLog;
  partition: number;
  id: string;
}

class Member {
  owned: Unit[] = [];
  cursor = 0;
  running = false;
  stopped = false;
  inFlight: Promise<void> | undefined;
  timer: NodeJS.Timeout | undefined;
  timerAt = Infinity;

  constructor(
    readonly filters: string[][],
    readonly handle: ConsumeOptions['handle'],
    readonly maxBatch: number,
  ) {}

  matches(topic: TopicLog): boolean {
    return this.filters.some((filter) => subjectMatches(filter, topic.tokens));
  }
}

class Group {
  readonly cursors = new Map<string, Cursor>();
  members: Member[] = [];

  constructor(readonly name: string) {}
}

/**
 * The in-memory message log of embedded mode: the same subjects, topics, consumer groups and ack
 * semantics as the NATS and Kafka adapters, in one process. Hand-written because no library offers
 * an in-process log with consumer groups; it follows Kafka (partitions, committed offsets, a
 * rewind on anything unacked) and JetStream (wildcard filters, dedup by id).
 */
export function createMemoryLog(options: MemoryLogOptions = {}): MessageLog {
  return new MemoryLog(options);
}

class MemoryLog implements MessageLog {
  readonly kind = 'memory' as const;
  readonly dedupById = true;
  private readonly topics = new Map<string, TopicLog>();
  private readonly groups = new Map<string, Group>();
  /** Insertion-ordered, so expiry walks from the oldest. */
  private readonly seen = new Map<string, { partition: number; offset: number; at: number }>();
  private readonly partitionCount: number;
  private readonly limitPerPartition: number;
  private readonly duplicateWindowMs: number;
  private wakeScheduled = false;
  private closed = false;

  constructor(private readonly options: MemoryLogOptions) {
    this.partitionCount = Math.max(1, Math.trunc(options.partitions ?? 3));
    this.limitPerPartition = Math.max(
      1,
      Math.ceil((options.maxMessagesPerTopic ?? 100_000) / this.partitionCount),
    );
    this.duplicateWindowMs = options.duplicateWindowMs ?? 120_000;
  }

  async publish(messages: OutgoingMessage[]): Promise<PublishResult[]> {
    if (this.closed) throw new MessageLogError('the message log is closed', 'closed');
    const now = Date.now();
    for (const [id, entry] of this.seen) {
      if (entry.at > now - this.duplicateWindowMs) break;
      this.seen.delete(id);
    }
    const results = messages.map((message): PublishResult => {
      const earlier = message.id === undefined ? undefined : this.seen.get(message.id);
      if (earlier)
        return { duplicate: true, partition: earlier.partition, offset: String(earlier.offset) };
      const topic = this.topic(message.topic);
      const partition = topic.partitionFor(message.key);
      const stored = topic.partitions[partition]!.append({
        topic: message.topic,
        key: message.key,
        // Copies, so a caller reusing its buffers cannot change what was stored.
        value: Uint8Array.from(message.value),
        headers: { ...message.headers },
        id: message.id,
        timestamp: now,
      });
      if (message.id !== undefined)
        this.seen.set(message.id, { partition, offset: stored.offset, at: now });
      return { duplicate: false, partition, offset: String(stored.offset) };
    });
    this.scheduleWake();
    return results;
  }

  async consume(options: ConsumeOptions): Promise<Subscription> {
    if (this.closed) throw new MessageLogError('the message log is closed', 'closed');
    if (!options.group) throw new MessageLogError('a consumer group is required', 'invalid-name');
    if (options.topics.length === 0)
      throw new MessageLogError('at least one topic is required', 'invalid-name');
    const member = new Member(
      options.topics.map(parseFilter),
      options.handle,
      Math.max(1, options.maxBatch ?? defaultMaxBatch),
    );
    let group = this.groups.get(options.group);
    if (!group) this.groups.set(options.group, (group = new Group(options.group)));
    group.members.push(member);
    // A group meeting a partition for the first time starts at its start or its end.
    for (const topic of this.topics.values()) {
      if (!member.matches(topic)) continue;
      topic.partitions.forEach((log, partition) => {
        const id = unitId(topic, partition);
        if (!group.cursors.has(id))
          group.cursors.set(id, newCursor(options.from === 'end' ? log.end : log.start));
      });
    }
    this.rebalance(group);
    this.scheduleWake();
    let stopping: Promise<void> | undefined;
    return {
      stop: () => (stopping ??= this.leave(group, member)),
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(
      [...this.groups.values()].flatMap((group) =>
        group.members.map((member) => this.leave(group, member)),
      ),
    );
  }

  private topic(name: string): TopicLog {
    let topic = this.topics.get(name);
    if (topic) return topic;
    if (!name || name.split('.').some((t) => t === '' || t === '*' || t === '>'))
      throw new MessageLogError(`not a topic or subject to publish to: "${name}"`, 'invalid-name');
    topic = new TopicLog(name, this.partitionCount, this.limitPerPartition);
    this.topics.set(name, topic);
    // Every message of a topic created now is newer than every group: all start at its beginning.
    for (const group of this.groups.values()) {
      if (!group.members.some((m) => m.matches(topic))) continue;
      topic.partitions.forEach((_, partition) =>
        group.cursors.set(unitId(topic, partition), newCursor(0)),
      );
      this.rebalance(group);
    }
    return topic;
  }

  /** Spreads the group's partitions over its members, each to the member holding fewest. */
  private rebalance(group: Group): void {
    for (const member of group.members) {
      member.owned = [];
      member.cursor = 0;
    }
    for (const topic of this.topics.values()) {
      const candidates = group.members.filter((m) => m.matches(topic));
      if (candidates.length === 0) continue;
      topic.partitions.forEach((_, partition) => {
        const least = candidates.reduce((a, b) => (b.owned.length < a.owned.length ? b : a));
        least.owned.push({ topic, partition, id: unitId(topic, partition) });
      });
    }
  }

  private async leave(group: Group, member: Member): Promise<void> {
    if (!member.stopped) {
      member.stopped = true;
      clearTimeout(member.timer);
      group.members = group.members.filter((m) => m !== member);
      // Hand the idle partitions to the others at once; the one in flight follows when it is done.
      this.rebalance(group);
      this.scheduleWake();
    }
    await member.inFlight;
  }

  /** Deliveries run from a later macrotask, never inside `publish` or `consume`. */
  private scheduleWake(): void {
    if (this.wakeScheduled) return;
    this.wakeScheduled = true;
    setImmediate(() => {
      this.wakeScheduled = false;
      for (const group of this.groups.values())
        for (const member of group.members) this.kick(group, member);
    });
  }

  private kick(group: Group, member: Member): void {
    if (member.running || member.stopped) return;
    const work = this.nextWork(group, member);
    if (!work) return;
    member.running = true;
    member.inFlight = this.runBatch(group, work.unit, work.cursor, work.messages, member).finally(
      () => {
        member.running = false;
        member.inFlight = undefined;
        // The partition may be waited for by another member after a rebalance.
        this.scheduleWake();
      },
    );
  }

  private nextWork(group: Group, member: Member) {
    const now = Date.now();
    const count = member.owned.length;
    for (let i = 0; i < count; i++) {
      const unit = member.owned[(member.cursor + i) % count]!;
      const cursor = group.cursors.get(unit.id);
      if (!cursor || cursor.busy) continue;
      if (cursor.pausedUntil > now) {
        this.wakeAt(group, member, cursor.pausedUntil);
        continue;
      }
      const log = unit.topic.partitions[unit.partition]!;
      cursor.next = Math.max(cursor.next, log.start);
      if (cursor.next >= log.end) continue;
      // Round robin over partitions, so a busy one cannot starve the others.
      member.cursor = (member.cursor + i + 1) % count;
      return { unit, cursor, messages: log.read(cursor.next, member.maxBatch) };
    }
    return undefined;
  }

  private wakeAt(group: Group, member: Member, at: number): void {
    if (member.timer && member.timerAt <= at) return;
    clearTimeout(member.timer);
    member.timerAt = at;
    member.timer = setTimeout(
      () => {
        member.timer = undefined;
        member.timerAt = Infinity;
        this.kick(group, member);
      },
      Math.max(0, at - Date.now()),
    );
  }

  private async runBatch(
    group: Group,
    unit: Unit,
    cursor: Cursor,
    messages: StoredMessage[],
    member: Member,
  ): Promise<void> {
    cursor.busy = true;
    try {
      const batch = new TrackedBatch(
        messages,
        withFields((m: StoredMessage) => {
          const deliveryCount = (cursor.counts.get(m.offset) ?? 0) + 1;
          cursor.counts.set(m.offset, deliveryCount);
          return {
            topic: m.topic,
            key: m.key,
            value: m.value,
            headers: { ...m.headers },
            ...(m.id === undefined ? {} : { id: m.id }),
            partition: unit.partition,
            offset: String(m.offset),
            deliveryCount,
            timestamp: new Date(m.timestamp),
          };
        }),
      );
      try {
        await member.handle(batch.deliveries);
      } catch (error) {
        this.options.logger?.warn(
          { err: error, group: group.name, topic: unit.topic.name, partition: unit.partition },
          'message handler failed; its unacked deliveries come again',
        );
      }
      const { ackedPrefix, delayMs } = resumePoint(batch.close());
      cursor.next =
        ackedPrefix === messages.length
          ? messages[messages.length - 1]!.offset + 1
          : messages[ackedPrefix]!.offset;
      for (const offset of cursor.counts.keys())
        if (offset < cursor.next) cursor.counts.delete(offset);
      if (delayMs > 0) cursor.pausedUntil = Date.now() + delayMs;
    } finally {
      cursor.busy = false;
    }
  }
}

function newCursor(next: number): Cursor {
  return { next, busy: false, pausedUntil: 0, counts: new Map() };
}

function unitId(topic: TopicLog, partition: number): string {
  return `${topic.name}#${partition}`;
}

function parseFilter(filter: string): string[] {
  const tokens = filter.split('.');
  const valid = tokens.every(
    (t, i) =>
      t !== '' && (t !== '>' || i === tokens.length - 1) && (t.length === 1 || !/[*>]/.test(t)),
  );
  if (!valid) throw new MessageLogError(`not a valid subject filter: "${filter}"`, 'invalid-name');
  return tokens;
}

/** NATS subject matching: `*` is one token, a final `>` is one or more. */
export function subjectMatches(filter: readonly string[], subject: readonly string[]): boolean {
  for (let i = 0; i < filter.length; i++) {
    const token = filter[i]!;
    if (token === '>') return subject.length > i;
    if (i >= subject.length || (token !== '*' && token !== subject[i])) return false;
  }
  return filter.length === subject.length;
}

/** FNV-1a, 32 bits: a stable key hash in a few lines, so a key keeps its partition across runs. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (const byte of Buffer.from(text, 'utf8')) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}
