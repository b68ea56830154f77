import { newId } from '@platform/kit';
import { sql } from 'kysely';
import type { AuthUser } from '../auth/auth.types.js';
import type { Db } from '../db/db.js';
import { outboxHeaders } from '../outbox/outbox.writer.js';
import { withLockTimeoutMapped } from './waitlist.js';

export interface RegisterRow {
  o_index: number;
  o_outcome: string;
  o_registration_id: string | null;
  o_status: 'confirmed' | 'waitlisted' | 'cancelled' | null;
  o_position: number | null;
  o_created_at: Date | null;
  o_updated_at: Date | null;
}

interface Pending {
  user: AuthUser;
  resolve: (row: RegisterRow) => void;
  reject: (error: unknown) => void;
}

/**
 * Group commit for registrations. While one call of `register_for_event` for an event is in
 * flight from this process, further requests for that event queue up and go together in the next
 * call, in arrival order. A lone request goes at once (no added delay); in a ticket drop, one lock
 * and one commit serve many people. Nothing is decided here: the function decides under the
 * event's row lock, so several processes batching at once stay correct.
 * (Hand-written: a batching library would still need this per-key, in-flight-gated shape.)
 */
export class RegistrationBatcher {
  private readonly queues = new Map<string, Pending[]>();
  private readonly maxBatch: number;

  constructor(private readonly deps: { db: Db; now: () => Date; maxBatch?: number }) {
    this.maxBatch = deps.maxBatch ?? 200;
  }

  register(eventId: string, user: AuthUser): Promise<RegisterRow> {
    return new Promise((resolve, reject) => {
      const queue = this.queues.get(eventId);
      if (queue) {
        queue.push({ user, resolve, reject });
        return;
      }
      this.queues.set(eventId, [{ user, resolve, reject }]);
      void this.drain(eventId);
    });
  }

  private async drain(eventId: string): Promise<void> {
    const queue = this.queues.get(eventId)!;
    while (queue.length > 0) {
      const batch = queue.splice(0, this.maxBatch);
      try {
        const rows = await this.call(eventId, batch);
        batch.forEach((pending, i) => pending.resolve(rows[i]!));
      } catch (error) {
        for (const pending of batch) pending.reject(error);
      }
    }
    this.queues.delete(eventId);
  }

  private async call(eventId: string, batch: Pending[]): Promise<RegisterRow[]> {
    const { rows } = await withLockTimeoutMapped(() =>
      sql<RegisterRow>`
        SELECT * FROM register_for_event(
          ${eventId}::uuid,
          ${batch.map((p) => p.user.id)}::uuid[],
          ${batch.map((p) => p.user.role === 'admin')}::boolean[],
          ${batch.map(() => newId())}::uuid[],
          ${batch.map(() => newId())}::uuid[],
          ${this.deps.now()},
          ${outboxHeaders()}::jsonb
        ) ORDER BY o_index`.execute(this.deps.db),
    );
    return rows;
  }
}
