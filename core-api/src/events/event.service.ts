import type { CreateEventBody, Event, UpdateEventBody } from '@platform/contracts';
import { newId, ValidationError } from '@platform/kit';
import { z } from 'zod';
import type { AuthUser } from '../auth/auth.types.js';
import { inTransaction, type Db, type Tx } from '../db/db.js';
import { decodeCursor, encodeCursor } from '../http/cursor.js';
import { appendToOutbox, domainMessage } from '../outbox/outbox.writer.js';
import {
  promoteFromWaitlist,
  LOCK_TIMEOUT_MS,
  withLockTimeoutMapped,
} from '../registrations/waitlist.js';
import type { RegistrationMetrics } from '../registrations/registration.metrics.js';
import { assertCanManage, eventConflict, eventNotFound, isVisible } from './event.errors.js';
import { toEvent, toSnapshot, type EventRow } from './event.mapper.js';

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface ListEventsQuery {
  category?: string;
  city?: string;
  from?: string;
  to?: string;
  cursor?: string;
  limit: number;
}

const startCursor = z.tuple([z.iso.datetime(), z.string()]);
const createdCursor = z.tuple([z.iso.datetime(), z.string()]);

export class EventService {
  constructor(
    private readonly deps: { db: Db; now?: () => Date; registrationMetrics?: RegistrationMetrics },
  ) {}

  private now(): Date {
    return this.deps.now?.() ?? new Date();
  }

  async create(user: AuthUser, body: CreateEventBody): Promise<Event> {
    assertTimes(body.startsAt, body.endsAt);
    return inTransaction(this.deps.db, async (tx) => {
      const row = await tx
        .insertInto('events')
        .values({
          id: newId(),
          organizer_id: user.id,
          title: body.title,
          description: body.description,
          category: body.category,
          tags: dedupe(body.tags),
          starts_at: body.startsAt,
          ends_at: body.endsAt,
          venue_name: body.venue.name,
          city: body.venue.city,
          lat: body.venue.lat,
          lon: body.venue.lon,
          capacity: body.capacity,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      await appendToOutbox(tx, [domainMessage('event.created', row.id, toSnapshot(row))]);
      return toEvent(row);
    });
  }

  async get(user: AuthUser | undefined, id: string): Promise<Event> {
    const row = await this.deps.db
      .selectFrom('events')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    if (!row || !isVisible(user, row)) throw eventNotFound();
    return toEvent(row);
  }

  /**
   * Edits an event. Raising capacity promotes waitlisted people at once, in the same
   * transaction; lowering it below the confirmed count is a conflict.
   */
  async update(user: AuthUser, id: string, body: UpdateEventBody): Promise<Event> {
    // Set inside the transaction, counted once it committed.
    let promoted = 0;
    const event = await withLockTimeoutMapped(() =>
      inTransaction(
        this.deps.db,
        async (tx) => {
          const current = await lockEvent(tx, id);
          assertCanManage(user, current);
          if (current.status === 'cancelled')
            throw eventConflict('A cancelled event cannot be edited', 'event-cancelled');
          const startsAt = body.startsAt ?? current.starts_at.toISOString();
          const endsAt = body.endsAt ?? current.ends_at.toISOString();
          assertTimes(startsAt, endsAt);
          if (current.status === 'published' && new Date(startsAt) <= this.now()) {
            throw eventConflict(
              'A published event cannot be moved into the past',
              'starts-in-past',
            );
          }
          const capacity = body.capacity ?? current.capacity;
          if (capacity < current.confirmed_count) {
            throw eventConflict(
              `Capacity ${capacity} is below the ${current.confirmed_count} people already confirmed`,
              'capacity-below-confirmed',
            );
          }
          let row = await tx
            .updateTable('events')
            .set({
              ...(body.title !== undefined ? { title: body.title } : {}),
              ...(body.description !== undefined ? { description: body.description } : {}),
              ...(body.category !== undefined ? { category: body.category } : {}),
              ...(body.tags !== undefined ? { tags: dedupe(body.tags) } : {}),
              ...(body.venue !== undefined
                ? {
                    venue_name: body.venue.name,
                    city: body.venue.city,
                    lat: body.venue.lat,
                    lon: body.venue.lon,
                  }
                : {}),
              starts_at: startsAt,
              ends_at: endsAt,
              capacity,
              revision: current.revision + 1,
              updated_at: this.now(),
            })
            .where('id', '=', id)
            .returningAll()
            .executeTakeFirstOrThrow();
          await appendToOutbox(tx, [domainMessage('event.updated', row.id, toSnapshot(row))]);
          if (row.status === 'published') {
            const before = row.waitlist_count;
            row = await promoteFromWaitlist(tx, row, this.now());
            promoted = before - row.waitlist_count;
          }
          return toEvent(row);
        },
        { lockTimeoutMs: LOCK_TIMEOUT_MS },
      ),
    );
    if (promoted > 0)
      this.deps.registrationMetrics?.promotions.inc({ cause: 'capacity' }, promoted);
    return event;
  }

  publish(user: AuthUser, id: string): Promise<Event> {
    return this.transition(user, id, async (tx, current) => {
      if (current.status !== 'draft')
        throw eventConflict(`The event is already ${current.status}`, `event-${current.status}`);
      if (current.starts_at <= this.now())
        throw eventConflict(
          'Only an event that starts in the future can be published',
          'starts-in-past',
        );
      const row = await tx
        .updateTable('events')
        .set({
          status: 'published',
          published_at: this.now(),
          revision: current.revision + 1,
          updated_at: this.now(),
        })
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirstOrThrow();
      await appendToOutbox(tx, [domainMessage('event.published', row.id, toSnapshot(row))]);
      return row;
    });
  }

  cancel(user: AuthUser, id: string): Promise<Event> {
    return this.transition(user, id, async (tx, current) => {
      if (current.status === 'cancelled')
        throw eventConflict('The event is already cancelled', 'event-cancelled');
      const row = await tx
        .updateTable('events')
        .set({ status: 'cancelled', revision: current.revision + 1, updated_at: this.now() })
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirstOrThrow();
      await appendToOutbox(tx, [domainMessage('event.cancelled', row.id, toSnapshot(row))]);
      return row;
    });
  }

  /** Published, upcoming events (or those starting in [from, to)), in start order. */
  async list(query: ListEventsQuery): Promise<Page<Event>> {
    const after = decodeCursor(query.cursor, startCursor);
    let q = this.deps.db.selectFrom('events').selectAll().where('status', '=', 'published');
    q = query.from
      ? q.where('starts_at', '>=', new Date(query.from))
      : q.where('starts_at', '>', this.now());
    if (query.to) q = q.where('starts_at', '<', new Date(query.to));
    if (query.category) q = q.where('category', '=', query.category);
    if (query.city)
      q = q.where((eb) => eb(eb.fn('lower', ['city']), '=', query.city!.toLowerCase()));
    if (after) {
      const [startsAt, id] = after;
      q = q.where((eb) =>
        eb.or([
          eb('starts_at', '>', new Date(startsAt)),
          eb.and([eb('starts_at', '=', new Date(startsAt)), eb('id', '>', id)]),
        ]),
      );
    }
    const rows = await q
      .orderBy('starts_at')
      .orderBy('id')
      .limit(query.limit + 1)
      .execute();
    return page(rows, query.limit, (r) => [r.starts_at.toISOString(), r.id]);
  }

  /** The caller's own events in any state, newest first. */
  async listMine(user: AuthUser, query: { cursor?: string; limit: number }): Promise<Page<Event>> {
    const after = decodeCursor(query.cursor, createdCursor);
    let q = this.deps.db.selectFrom('events').selectAll().where('organizer_id', '=', user.id);
    if (after) {
      const [createdAt, id] = after;
      q = q.where((eb) =>
        eb.or([
          eb('created_at', '<', new Date(createdAt)),
          eb.and([eb('created_at', '=', new Date(createdAt)), eb('id', '<', id)]),
        ]),
      );
    }
    const rows = await q
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(query.limit + 1)
      .execute();
    return page(rows, query.limit, (r) => [r.created_at.toISOString(), r.id]);
  }

  private transition(
    user: AuthUser,
    id: string,
    change: (tx: Tx, current: EventRow) => Promise<EventRow>,
  ): Promise<Event> {
    return withLockTimeoutMapped(() =>
      inTransaction(
        this.deps.db,
        async (tx) => {
          const current = await lockEvent(tx, id);
          assertCanManage(user, current);
          return toEvent(await change(tx, current));
        },
        { lockTimeoutMs: LOCK_TIMEOUT_MS },
      ),
    );
  }
}

/** Lock order, step 1 of every change to an event or its registrations: the event row. */
export function lockEvent(tx: Tx, id: string): Promise<EventRow | undefined> {
  return tx.selectFrom('events').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
}

function page(
  rows: EventRow[],
  limit: number,
  key: (row: EventRow) => (string | number)[],
): Page<Event> {
  const more = rows.length > limit;
  const items = more ? rows.slice(0, limit) : rows;
  return { items: items.map(toEvent), nextCursor: more ? encodeCursor(key(items.at(-1)!)) : null };
}

function assertTimes(startsAt: string, endsAt: string): void {
  if (new Date(endsAt) <= new Date(startsAt)) {
    throw new ValidationError([{ path: 'body.endsAt', message: 'must be after startsAt' }]);
  }
}

const dedupe = (tags: string[]) => [...new Set(tags)];
