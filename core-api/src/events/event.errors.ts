import { ConflictError, ForbiddenError, NotFoundError } from '@platform/kit';
import type { AuthUser } from '../auth/auth.types.js';
import type { EventRow } from './event.mapper.js';

export const canManage = (user: AuthUser | undefined, event: EventRow): boolean =>
  !!user && (user.role === 'admin' || event.organizer_id === user.id);

/** Drafts exist only for their organizer (and admins); everyone else gets the same 404 as for
 * an id that never existed. */
export const isVisible = (user: AuthUser | undefined, event: EventRow): boolean =>
  event.status === 'published' || event.published_at !== null || canManage(user, event);

export const eventNotFound = () => new NotFoundError('No such event');

/** Loads-then-checks helper: 404 when invisible, 403 when visible but not theirs to manage. */
export function assertCanManage(
  user: AuthUser,
  event: EventRow | undefined,
): asserts event is EventRow {
  if (!event || !isVisible(user, event)) throw eventNotFound();
  if (!canManage(user, event))
    throw new ForbiddenError('Only the organizer or an admin may do this');
}

export const eventConflict = (message: string, code: string) => new ConflictError(message, code);
