import type { AnalyticsStore } from '../store/analytics-store.port.js';
import {
  tsvNullableString,
  tsvNumber,
  tsvString,
  tsvStringArray,
  type TabSeparatedRows,
} from '../store/tab-separated.format.js';
import type { WindowDelta } from '../windows/window.engine.js';
import type { ParsedEvent, ParsedInteraction, ParsedRegistration } from './message.parser.js';

/** Where a message came from on the log. */
export interface Source {
  partition: number;
  offset: string;
}

export interface InteractionRow {
  parsed: ParsedInteraction;
  source: Source;
  late: boolean;
}

export interface ProgressRow {
  group: string;
  topic: string;
  partition: number;
  firstOffset: string;
  nextOffset: string;
  maxEventTime: number | null;
  watermark: number | null;
}

/** Everything one batch writes. */
export interface Flush {
  interactions: InteractionRow[];
  deltas: WindowDelta[];
  registrations: { parsed: ParsedRegistration; source: Source }[];
  events: ParsedEvent[];
  progress: ProgressRow[];
}

export interface InsertObserver {
  (table: string, rows: number, seconds: number): void;
}

const seconds = (ms: number) => Math.floor(ms / 1000);
const isoSeconds = (iso: string) => seconds(Date.parse(iso));

/**
 * Writes batches into the analytics tables and reads back what a restarted consumer needs.
 *
 * All of a batch's inserts run at once, progress rows included. A progress row is only ever
 * read back for the offset it ends at, and redelivery resumes there only when the whole batch
 * was acked, which happens after every insert succeeded; the row of a batch that failed ends
 * past where its redelivery starts and is never used.
 */
export class AnalyticsWriter {
  constructor(
    private readonly store: AnalyticsStore,
    private readonly observe: InsertObserver = () => {},
  ) {}

  async write(flush: Flush): Promise<void> {
    await Promise.all([
      this.insert('interactions', encodeInteractions(flush.interactions)),
      this.insert('interaction_window_deltas', encodeDeltas(flush.deltas)),
      this.insert('registrations', flush.registrations.map(registrationRow)),
      this.insert('event_dimension', flush.events.map(eventRow)),
      this.insert('consumer_progress', flush.progress.map(progressRow)),
    ]);
  }

  /**
   * The highest event time of the accepted interactions in `partition` below `offset`: the
   * partition's state just before `offset`. From the progress row ending exactly there when
   * there is one (the usual case: redelivery resumes at a committed batch boundary), topped up
   * from the raw rows between the nearest earlier progress row and `offset` otherwise.
   */
  async maxEventTimeBefore(
    group: string,
    topic: string,
    partition: number,
    offset: string,
  ): Promise<number | null> {
    const [progress] = await this.store.query<{ next_offset: number; max_event_ms: number }>(
      `SELECT next_offset, max_event_ms
      FROM consumer_progress
      WHERE consumer_group = {group:String} AND topic = {topic:String}
        AND partition = {partition:UInt32} AND next_offset <= {offset:UInt64}
      ORDER BY next_offset DESC
      LIMIT 1`,
      { group, topic, partition, offset: BigInt(offset) },
    );
    let max = progress ? Number(progress.max_event_ms) : 0;
    const from = progress ? BigInt(progress.next_offset) : 0n;
    if (from < BigInt(offset)) {
      const [raw] = await this.store.query<{ max_ms: number }>(
        `SELECT max(occurred_ms) AS max_ms
        FROM interactions
        WHERE source_partition = {partition:UInt32} AND late = 0
          AND source_offset >= {from:UInt64} AND source_offset < {offset:UInt64}`,
        { partition, from, offset: BigInt(offset) },
      );
      max = Math.max(max, Number(raw?.max_ms ?? 0));
    }
    // 0 is what the tables hold for "none": no event time is the epoch's first millisecond.
    return max > 0 ? max : null;
  }

  private async insert(table: string, rows: object[] | TabSeparatedRows): Promise<void> {
    const count = 'count' in rows ? rows.count : rows.length;
    if (count === 0) return;
    const started = performance.now();
    await this.store.insert(table, rows);
    this.observe(table, count, (performance.now() - started) / 1000);
  }
}

/*
 * The two tables every interaction goes to are written as TabSeparated lines straight from the
 * parsed messages: at tens of thousands of interactions per batch, a row object per interaction
 * and the generic encoder cost about as much as parsing the message.
 */
const interactionColumns = [
  'id',
  'type',
  'event_id',
  'query',
  'query_key',
  'position',
  'result_count',
  'surface',
  'occurred_at',
  'occurred_ms',
  'received_at',
  'session_id',
  'user_id',
  'user_key',
  'late',
  'source_partition',
  'source_offset',
];

export function encodeInteractions(rows: readonly InteractionRow[]): TabSeparatedRows {
  let payload = '';
  for (const { parsed, source, late } of rows) {
    const i = parsed.interaction;
    payload +=
      `${tsvString(i.id)}\t${tsvString(i.type)}\t${tsvNullableString(i.eventId)}\t` +
      `${tsvNullableString(i.query)}\t${tsvString(parsed.queryKey)}\t${tsvNumber(i.position)}\t` +
      `${tsvNumber(i.resultCount)}\t${tsvString(i.surface ?? '')}\t` +
      `${seconds(parsed.eventTime)}\t${parsed.eventTime}\t${seconds(parsed.receivedTime)}\t` +
      `${tsvString(i.sessionId)}\t${tsvNullableString(i.userId)}\t${tsvString(parsed.userKey)}\t` +
      `${late ? 1 : 0}\t${source.partition}\t${source.offset}\n`;
  }
  return { columns: interactionColumns, payload, count: rows.length };
}

const deltaColumns = ['window_start', 'event_id', 'type', 'interaction_ids', 'user_keys'];

function encodeDeltas(deltas: readonly WindowDelta[]): TabSeparatedRows {
  let payload = '';
  for (const d of deltas) {
    payload +=
      `${seconds(d.windowStart)}\t${tsvString(d.eventId)}\t${tsvString(d.type)}\t` +
      `${tsvStringArray(d.interactionIds)}\t${tsvStringArray(d.userKeys)}\n`;
  }
  return { columns: deltaColumns, payload, count: deltas.length };
}

function registrationRow({ parsed, source }: { parsed: ParsedRegistration; source: Source }) {
  const m = parsed.message;
  return {
    message_id: m.id,
    type: m.type,
    registration_id: m.data.registrationId,
    event_id: m.data.eventId,
    user_id: m.data.userId,
    status: m.data.status,
    position: m.data.position,
    capacity: m.data.capacity,
    confirmed_count: m.data.confirmedCount,
    waitlist_count: m.data.waitlistCount,
    event_revision: m.data.eventRevision,
    occurred_at: isoSeconds(m.occurredAt),
    source_partition: source.partition,
    source_offset: Number(source.offset),
  };
}

function eventRow({ message, snapshot }: ParsedEvent) {
  return {
    event_id: snapshot.id,
    revision: snapshot.revision,
    title: snapshot.title,
    category: snapshot.category,
    city: snapshot.venue.city,
    organizer_id: snapshot.organizerId,
    status: snapshot.status,
    starts_at: isoSeconds(snapshot.startsAt),
    updated_at: isoSeconds(message.occurredAt),
  };
}

function progressRow(p: ProgressRow) {
  return {
    consumer_group: p.group,
    topic: p.topic,
    partition: p.partition,
    first_offset: Number(p.firstOffset),
    next_offset: Number(p.nextOffset),
    max_event_ms: p.maxEventTime ?? 0,
    watermark_ms: p.watermark ?? 0,
    flushed_at: seconds(Date.now()),
  };
}
