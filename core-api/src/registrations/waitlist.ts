import { ServiceUnavailableError } from '@platform/kit';
import { SqlError, sqlState } from '@platform/kit/sql';
import type { Tx } from '../db/db.js';
import type { EventRow } from '../events/event.mapper.js';
import { appendToOutbox, domainMessage } from '../outbox/outbox.writer.js';

/** Bound on waiting for an event's lock (pretix uses 3 s too); past it: 503 + Retry-After. */
export const LOCK_TIMEOUT_MS = 3_000;

export class CapacityLockTimeoutError extends ServiceUnavailableError {
  constructor() {
    super('Too many changes to this event at once; retry shortly', 1, 'capacity-lock-timeout');
  }
}

/** Maps PostgreSQL's lock_timeout (55P03) to a typed, retryable error. */
export async function withLockTimeoutMapped<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof SqlError && error.code === sqlState.lockNotAvailable)
      throw new CapacityLockTimeoutError();
    throw error;
  }
}

/**
 * Fills free seats from the head of the waitlist (FIFO by waitlist_seq), writing one
 * `registration.promoted` message per person. The caller holds the event row lock (lock order
 * step 1); the registration rows are step 2.
 */
export async function promoteFromWaitlist(tx: Tx, event: EventRow, now: Date): Promise<EventRow> {
  const free = event.capacity - event.confirmed_count;
  if (free <= 0 || event.waitlist_count === 0) return event;
  const promoted = await tx
    .selectFrom('registrations')
    .select(['id', 'user_id'])
    .where('event_id', '=', event.id)
    .where('status', '=', 'waitlisted')
    .orderBy('waitlist_seq')
    .limit(free)
    .forUpdate()
    .execute();
  if (promoted.length === 0) return event;
  await tx
    .updateTable('registrations')
    .set({ status: 'confirmed', waitlist_seq: null, updated_at: now })
    .where(
      'id',
      'in',
      promoted.map((r) => r.id),
    )
    .execute();
  const updated = await tx
    .updateTable('events')
    .set((eb) => ({
      confirmed_count: eb('confirmed_count', '+', promoted.length),
      waitlist_count: eb('waitlist_count', '-', promoted.length),
      revision: eb('revision', '+', 1),
      updated_at: now,
    }))
    .where('id', '=', event.id)
    .returningAll()
    .executeTakeFirstOrThrow();
  await appendToOutbox(
    tx,
    promoted.map((r) =>
      domainMessage('registration.promoted', event.id, {
        registrationId: r.id,
        eventId: event.id,
        userId: r.user_id,
        status: 'confirmed',
        position: null,
        capacity: updated.capacity,
        confirmedCount: updated.confirmed_count,
        waitlistCount: updated.waitlist_count,
        eventRevision: updated.revision,
      }),
    ),
  );
  return updated;
}
