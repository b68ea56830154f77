import type { Logger } from '@platform/kit';
import { sql } from 'kysely';
import type { Db } from '../db/db.js';
import { IDEMPOTENCY_TTL_HOURS } from '../idempotency/idempotency.middleware.js';

/**
 * Periodic deletes that keep tables small: idempotency keys past their 24 h, and refresh tokens
 * of sessions that ended more than a day ago. Cheap (indexed) and safe to run on every instance.
 */
export function startHousekeeping(db: Db, logger: Logger, everyMs = 10 * 60_000): () => void {
  const run = async () => {
    try {
      const keys = await db
        .deleteFrom('idempotency_keys')
        .where(
          'created_at',
          '<',
          sql<Date>`now() - make_interval(hours => ${IDEMPOTENCY_TTL_HOURS})`,
        )
        .executeTakeFirst();
      const tokens = await db
        .deleteFrom('refresh_tokens')
        .where('family_expires_at', '<', sql<Date>`now() - interval '1 day'`)
        .executeTakeFirst();
      logger.debug(
        {
          idempotencyKeys: Number(keys.numDeletedRows),
          refreshTokens: Number(tokens.numDeletedRows),
        },
        'housekeeping done',
      );
    } catch (error) {
      logger.warn({ err: error }, 'housekeeping failed');
    }
  };
  const timer = setInterval(run, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
