import type { Registration } from '@platform/contracts';
import { ConflictError, ForbiddenError, NotFoundError } from '@platform/kit';
import type { Selectable } from 'kysely';
import { z } from 'zod';
import type { AuthUser } from '../auth/auth.types.js';
import { inTransaction, type Db, type Tx } from '../db/db.js';
import type { RegistrationsTable } from '../db/schema.js';
import { canManage, eventNotFound, isVisible } from '../events/event.errors.js';
import type { EventRow } from '../events/event.mapper.js';
import { lockEvent, type Page } from '../events/event.service.js';
import { decodeCursor, encodeCursor } from '../http/cursor.js';
import { appendToOutbox, domainMessage } from '../outbox/outbox.writer.js';
import { RegistrationBatcher } from './registration.batcher.js';
import type { RegistrationMetrics } from './registration.metrics.js';
import { LOCK_TIMEOUT_MS, promoteFromWaitlist, withLockTimeoutMapped } from './waitlist.js';

type RegistrationRow = Selectable<RegistrationsTable>;

export interface RegistrationOutcome {
  registration: Registration;
  /** False when the person was already registered and we return the existing registration. */
  created: boolean;
}

export interface MyRegistration extends Registration {
  event: {
    id: string;
    title: string;
    startsAt: string;
    endsAt: string;
    city: string;
    status: EventRow['status'];
  };
}

export interface Attendee {
  registrationId: string;
  user: { id: string; name: string; email: string };
  status: 'confirmed' | 'waitlisted';
  position: number | null;
  registeredAt: string;
}

const mineCursor = z.tuple([z.iso.datetime(), z.string()]);
const confirmedCursor = z.tuple([z.iso.datetime(), z.string()]);
const waitlistCursor = z.tuple([z.number().int()]);

/**
 * Registrations and the waitlist. Correct under any concurrency and across API processes: the
 * database serialises every change per event.
 *
 * LOCK ORDER (every path that changes an event's registrations or counts):
 *   1. the event row, SELECT ... FOR UPDATE (bounded by lock_timeout: 503 past it);
 *   2. then that event's registration rows.
 * Nothing locks registrations first, so there is no deadlock between these paths.
 */
export class RegistrationService {
  private readonly batcher: RegistrationBatcher;

  constructor(
    private readonly deps: {
      db: Db;
      now?: () => Date;
      metrics?: RegistrationMetrics;
      /** Told of every new registration once it committed (recommendations' history cache). */
      onRegistered?: (userId: string) => void;
    },
  ) {
    this.batcher = new RegistrationBatcher({ db: deps.db, now: () => this.now() });
  }

  private now(): Date {
    return this.deps.now?.() ?? new Date();
  }

  /**
   * Registers the caller: confirmed while seats last and nobody is waiting, otherwise waitlisted
   * with a position. `register_for_event` (migration 0002) does the whole transaction
   * server-side, in the lock order above, for a batch of concurrent callers at once.
   */
  async register(user: AuthUser, eventId: string): Promise<RegistrationOutcome> {
    const row = await this.batcher.register(eventId, user);
    this.deps.metrics?.registrations.inc({ outcome: row.o_outcome });
    if (row.o_outcome === 'confirmed' || row.o_outcome === 'waitlisted') {
      this.deps.onRegistered?.(user.id);
    }
    switch (row.o_outcome) {
      case 'not-found':
        throw eventNotFound();
      case 'event-draft':
      case 'event-cancelled':
        throw new ConflictError(
          `Registration is closed: the event is ${row.o_outcome.slice(6)}`,
          row.o_outcome,
        );
      case 'event-started':
        throw new ConflictError('Registration is closed: the event has started', 'event-started');
    }
    return {
      created: row.o_outcome !== 'existing',
      registration: {
        id: row.o_registration_id!,
        eventId,
        userId: user.id,
        status: row.o_status!,
        position: row.o_position,
        createdAt: row.o_created_at!.toISOString(),
        updatedAt: row.o_updated_at!.toISOString(),
      },
    };
  }

  /** Cancels the caller's registration; a freed seat goes to the head of the waitlist at once. */
  async cancel(user: AuthUser, eventId: string): Promise<Registration> {
    // Set inside the transaction, counted once it committed.
    let promoted = 0;
    let previous = '';
    const registration = await this.locked(eventId, async (tx, event) => {
      if (!isVisible(user, event)) throw eventNotFound();
      const mine = await tx
        .selectFrom('registrations')
        .selectAll()
        .where('event_id', '=', eventId)
        .where('user_id', '=', user.id)
        .where('status', '<>', 'cancelled')
        .forUpdate()
        .executeTakeFirst();
      if (!mine) throw new NotFoundError('You are not registered for this event');
      previous = mine.status;
      const now = this.now();
      if (event.starts_at <= now)
        throw new ConflictError(
          'The event has started; registrations can no longer change',
          'event-started',
        );
      const cancelled = await tx
        .updateTable('registrations')
        .set({ status: 'cancelled', waitlist_seq: null, updated_at: now })
        .where('id', '=', mine.id)
        .returningAll()
        .executeTakeFirstOrThrow();
      let updated = await tx
        .updateTable('events')
        .set((eb) => ({
          ...(mine.status === 'confirmed'
            ? { confirmed_count: eb('confirmed_count', '-', 1) }
            : { waitlist_count: eb('waitlist_count', '-', 1) }),
          revision: eb('revision', '+', 1),
          updated_at: now,
        }))
        .where('id', '=', eventId)
        .returningAll()
        .executeTakeFirstOrThrow();
      await appendToOutbox(tx, [
        domainMessage('registration.cancelled', eventId, {
          registrationId: mine.id,
          eventId,
          userId: user.id,
          status: 'cancelled',
          position: null,
          capacity: updated.capacity,
          confirmedCount: updated.confirmed_count,
          waitlistCount: updated.waitlist_count,
          eventRevision: updated.revision,
        }),
      ]);
      if (event.status === 'published') {
        const before = updated.waitlist_count;
        updated = await promoteFromWaitlist(tx, updated, now);
        promoted = before - updated.waitlist_count;
      }
      return toRegistration(cancelled, null);
    });
    this.deps.metrics?.cancellations.inc({ status: previous });
    if (promoted > 0) this.deps.metrics?.promotions.inc({ cause: 'cancellation' }, promoted);
    return registration;
  }

  /** The caller's live (not cancelled) registration for one event, with its waitlist position. */
  async mine(user: AuthUser, eventId: string): Promise<Registration> {
    await this.visibleEvent(user, eventId);
    const row = await this.deps.db
      .selectFrom('registrations')
      .selectAll()
      .where('event_id', '=', eventId)
      .where('user_id', '=', user.id)
      .where('status', '<>', 'cancelled')
      .executeTakeFirst();
    if (!row) throw new NotFoundError('You are not registered for this event');
    return this.withPosition(this.deps.db, row);
  }

  /** The caller's registrations (not cancelled ones unless asked), newest first. */
  async listMine(
    user: AuthUser,
    query: {
      cursor?: string;
      limit: number;
      when?: 'upcoming' | 'past' | 'all';
      includeCancelled?: boolean;
    },
  ): Promise<Page<MyRegistration>> {
    const after = decodeCursor(query.cursor, mineCursor);
    let q = this.deps.db
      .selectFrom('registrations as r')
      .innerJoin('events as e', 'e.id', 'r.event_id')
      .selectAll('r')
      .select(['e.title', 'e.starts_at', 'e.ends_at', 'e.city', 'e.status as event_status'])
      .select((eb) =>
        eb
          .selectFrom('registrations as w')
          .select(eb.fn.countAll<number>().as('n'))
          .whereRef('w.event_id', '=', 'r.event_id')
          .where('w.status', '=', 'waitlisted')
          .whereRef('w.waitlist_seq', '<=', 'r.waitlist_seq')
          .as('position'),
      )
      .where('r.user_id', '=', user.id);
    if (!query.includeCancelled) q = q.where('r.status', '<>', 'cancelled');
    if (query.when === 'upcoming') q = q.where('e.ends_at', '>', this.now());
    if (query.when === 'past') q = q.where('e.ends_at', '<=', this.now());
    if (after) {
      const [createdAt, id] = after;
      q = q.where((eb) =>
        eb.or([
          eb('r.created_at', '<', new Date(createdAt)),
          eb.and([eb('r.created_at', '=', new Date(createdAt)), eb('r.id', '<', id)]),
        ]),
      );
    }
    const rows = await q
      .orderBy('r.created_at', 'desc')
      .orderBy('r.id', 'desc')
      .limit(query.limit + 1)
      .execute();
    const more = rows.length > query.limit;
    const items = (more ? rows.slice(0, query.limit) : rows).map((r): MyRegistration => ({
      ...toRegistration(r, r.status === 'waitlisted' ? Number(r.position) : null),
      event: {
        id: r.event_id,
        title: r.title,
        startsAt: r.starts_at.toISOString(),
        endsAt: r.ends_at.toISOString(),
        city: r.city,
        status: r.event_status,
      },
    }));
    const last = items.at(-1);
    return { items, nextCursor: more && last ? encodeCursor([last.createdAt, last.id]) : null };
  }

  /** Who is coming: organizer or admin only. Confirmed by registration time, or the waitlist in order. */
  async attendees(
    user: AuthUser,
    eventId: string,
    query: { status: 'confirmed' | 'waitlisted'; cursor?: string; limit: number },
  ): Promise<Page<Attendee>> {
    const event = await this.visibleEvent(user, eventId);
    if (!canManage(user, event))
      throw new ForbiddenError('Only the organizer or an admin may see who is coming');

    let q = this.deps.db
      .selectFrom('registrations as r')
      .innerJoin('users as u', 'u.id', 'r.user_id')
      .select([
        'r.id',
        'r.status',
        'r.created_at',
        'r.waitlist_seq',
        'u.id as user_id',
        'u.name',
        'u.email',
      ])
      .where('r.event_id', '=', eventId)
      .where('r.status', '=', query.status);

    if (query.status === 'confirmed') {
      const after = decodeCursor(query.cursor, confirmedCursor);
      if (after) {
        const [createdAt, id] = after;
        q = q.where((eb) =>
          eb.or([
            eb('r.created_at', '>', new Date(createdAt)),
            eb.and([eb('r.created_at', '=', new Date(createdAt)), eb('r.id', '>', id)]),
          ]),
        );
      }
      const rows = await q
        .orderBy('r.created_at')
        .orderBy('r.id')
        .limit(query.limit + 1)
        .execute();
      const more = rows.length > query.limit;
      const items = (more ? rows.slice(0, query.limit) : rows).map((r) => attendee(r, null));
      const last = more ? rows[query.limit - 1] : undefined;
      return {
        items,
        nextCursor: last ? encodeCursor([last.created_at.toISOString(), last.id]) : null,
      };
    }

    const after = decodeCursor(query.cursor, waitlistCursor);
    // Positions are ranks among the waitlisted: the rank of the first row on this page is one
    // more than the number of people ahead of the cursor.
    const ahead = after
      ? await this.deps.db
          .selectFrom('registrations')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('event_id', '=', eventId)
          .where('status', '=', 'waitlisted')
          .where('waitlist_seq', '<=', after[0])
          .executeTakeFirstOrThrow()
      : { n: 0 };
    if (after) q = q.where('r.waitlist_seq', '>', after[0]);
    const rows = await q
      .orderBy('r.waitlist_seq')
      .limit(query.limit + 1)
      .execute();
    const more = rows.length > query.limit;
    const items = (more ? rows.slice(0, query.limit) : rows).map((r, i) =>
      attendee(r, Number(ahead.n) + i + 1),
    );
    const last = more ? rows[query.limit - 1] : undefined;
    return { items, nextCursor: last ? encodeCursor([Number(last.waitlist_seq)]) : null };
  }

  /** The event, unless it does not exist or is a draft the caller may not see (both 404). */
  private async visibleEvent(user: AuthUser, eventId: string): Promise<EventRow> {
    const event = await this.deps.db
      .selectFrom('events')
      .selectAll()
      .where('id', '=', eventId)
      .executeTakeFirst();
    if (!event || !isVisible(user, event)) throw eventNotFound();
    return event;
  }

  private locked<T>(eventId: string, work: (tx: Tx, event: EventRow) => Promise<T>): Promise<T> {
    return withLockTimeoutMapped(() =>
      inTransaction(
        this.deps.db,
        async (tx) => {
          const event = await lockEvent(tx, eventId);
          if (!event) throw eventNotFound();
          return work(tx, event);
        },
        { lockTimeoutMs: LOCK_TIMEOUT_MS },
      ),
    );
  }

  private async withPosition(tx: Db | Tx, row: RegistrationRow): Promise<Registration> {
    if (row.status !== 'waitlisted') return toRegistration(row, null);
    const { n } = await tx
      .selectFrom('registrations')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('event_id', '=', row.event_id)
      .where('status', '=', 'waitlisted')
      .where('waitlist_seq', '<=', row.waitlist_seq)
      .executeTakeFirstOrThrow();
    return toRegistration(row, Number(n));
  }
}

function toRegistration(row: RegistrationRow, position: number | null): Registration {
  return {
    id: row.id,
    eventId: row.event_id,
    userId: row.user_id,
    status: row.status,
    position,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

function attendee(
  r: {
    id: string;
    status: RegistrationRow['status'];
    created_at: Date;
    user_id: string;
    name: string;
    email: string;
  },
  position: number | null,
): Attendee {
  return {
    registrationId: r.id,
    user: { id: r.user_id, name: r.name, email: r.email },
    status: r.status as Attendee['status'],
    position,
    registeredAt: r.created_at.toISOString(),
  };
}
