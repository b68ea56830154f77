import { eventSnapshotFromRow, type Event, type EventSnapshot } from '@platform/contracts';
import type { Selectable } from 'kysely';
import type { EventsTable } from '../db/schema.js';

export type EventRow = Selectable<EventsTable>;

export const toSnapshot = (row: EventRow): EventSnapshot => eventSnapshotFromRow(row);

/** The API representation: the snapshot plus when the row was created and last changed. */
export const toEvent = (row: EventRow): Event => ({
  ...toSnapshot(row),
  createdAt: row.created_at.toISOString(),
  updatedAt: row.updated_at.toISOString(),
});
