import type { Event, EventSnapshot } from '@platform/contracts';
import type { Selectable } from 'kysely';
import type { EventsTable } from '../db/schema.js';

export type EventRow = Selectable<EventsTable>;

export const toSnapshot = (row: EventRow): EventSnapshot => ({
  id: row.id,
  organizerId: row.organizer_id,
  title: row.title,
  description: row.description,
  category: row.category,
  tags: row.tags,
  startsAt: row.starts_at.toISOString(),
  endsAt: row.ends_at.toISOString(),
  venue: { name: row.venue_name, city: row.city, lat: row.lat, lon: row.lon },
  capacity: row.capacity,
  confirmedCount: row.confirmed_count,
  waitlistCount: row.waitlist_count,
  status: row.status,
  revision: row.revision,
  publishedAt: row.published_at?.toISOString() ?? null,
});

/** The API representation: the snapshot plus when the row was created and last changed. */
export const toEvent = (row: EventRow): Event => ({
  ...toSnapshot(row),
  createdAt: row.created_at.toISOString(),
  updatedAt: row.updated_at.toISOString(),
});
