import { describe, expect, it } from 'vitest';
import {
  domainMessageSchema,
  eventSnapshotFromRow,
  eventSnapshotSchema,
  domainMessages,
  interactionBatchSchema,
  subjectOf,
  subjects,
} from './index.js';

const id = '0192f1d2-7c3a-7b11-8a3e-0f1e2d3c4b5a';
const snapshot = {
  id,
  organizerId: id,
  title: 'Jazz night',
  description: '',
  category: 'music',
  tags: ['jazz'],
  startsAt: '2030-01-01T20:00:00Z',
  endsAt: '2030-01-01T23:00:00Z',
  venue: { name: 'Blue Room', city: 'Lyon', lat: 45.76, lon: 4.83 },
  capacity: 50,
  confirmedCount: 0,
  waitlistCount: 0,
  status: 'published',
  revision: 2,
  publishedAt: '2029-12-01T10:00:00Z',
};

describe('domain messages', () => {
  it('accepts a well-formed envelope and picks its schema by type', () => {
    const parsed = domainMessageSchema.parse({
      id,
      type: 'event.published',
      version: 1,
      occurredAt: '2029-12-01T10:00:00Z',
      aggregateId: id,
      data: snapshot,
    });
    expect(parsed.type).toBe('event.published');
  });

  it('rejects a registration message whose data is an event snapshot', () => {
    const result = domainMessageSchema.safeParse({
      id,
      type: 'registration.confirmed',
      version: 1,
      occurredAt: '2029-12-01T10:00:00Z',
      aggregateId: id,
      data: snapshot,
    });
    expect(result.success).toBe(false);
  });

  it('rejects ids that are not UUIDv7', () => {
    const result = domainMessageSchema.safeParse({
      id: '6f1e2d3c-4b5a-4c3a-8b11-0f1e2d3c4b5a',
      type: 'event.created',
      version: 1,
      occurredAt: '2029-12-01T10:00:00Z',
      aggregateId: id,
      data: snapshot,
    });
    expect(result.success).toBe(false);
  });

  it('maps every message type onto a subject listed in ARCHITECTURE.md', () => {
    const all = new Set<string>(Object.values(subjects));
    for (const type of Object.keys(domainMessages) as (keyof typeof domainMessages)[]) {
      expect(all.has(subjectOf(type))).toBe(true);
      expect(subjectOf(type).endsWith(type)).toBe(true);
    }
  });
});

describe('interactions', () => {
  const base = { occurredAt: '2029-12-01T10:00:00Z', sessionId: 'session-123' };
  it('needs an event id for a click and a query for a search', () => {
    const r = interactionBatchSchema.safeParse({
      interactions: [
        { ...base, type: 'click' },
        { ...base, type: 'search' },
      ],
    });
    expect(r.success).toBe(false);
    const paths = r.error!.issues.map((i) => i.path.join('.'));
    expect(paths).toEqual(['interactions.0.eventId', 'interactions.1.query']);
  });

  it('caps a batch at 500 and refuses unknown fields', () => {
    const one = { ...base, type: 'view', eventId: id };
    expect(interactionBatchSchema.safeParse({ interactions: Array(500).fill(one) }).success).toBe(
      true,
    );
    expect(interactionBatchSchema.safeParse({ interactions: Array(501).fill(one) }).success).toBe(
      false,
    );
    expect(interactionBatchSchema.safeParse({ interactions: [{ ...one, extra: 1 }] }).success).toBe(
      false,
    );
  });
});

describe('field rules the database relies on', () => {
  it('refuses NUL and control characters in text, keeps tabs and newlines', async () => {
    const { text } = await import('./envelope.js');
    const t = text(1, 50);
    expect(t.safeParse('a\u0000b').success).toBe(false);
    expect(t.safeParse('a\u001bb').success).toBe(false);
    expect(t.parse('  line one\n\tline two  ')).toBe('line one\n\tline two');
  });

  it('accepts real instants only: offsets up to ±14:00, years 1970 to 9999', async () => {
    const { isoDateTime } = await import('./envelope.js');
    expect(isoDateTime.safeParse('2030-01-01T20:00:00+14:00').success).toBe(true);
    expect(isoDateTime.safeParse('2030-01-01T20:00:00-12:00').success).toBe(true);
    expect(isoDateTime.safeParse('2030-01-01T20:00:00+22:24').success).toBe(false);
    expect(isoDateTime.safeParse('0287-06-13T22:06:08Z').success).toBe(false);
    expect(isoDateTime.safeParse('2030-02-30T20:00:00Z').success).toBe(false);
  });
});

describe('eventSnapshotFromRow', () => {
  it('maps an events row to a snapshot the schema accepts, dates as ISO instants', () => {
    const snapshot = eventSnapshotFromRow({
      id: '0190f3a2-7c1e-7000-8000-000000000001',
      organizer_id: '0190f3a2-7c1e-7000-8000-000000000002',
      title: 'Jazz night',
      description: 'Quartet',
      category: 'music',
      tags: ['jazz'],
      starts_at: new Date('2026-12-01T19:00:00Z'),
      ends_at: new Date('2026-12-01T22:00:00Z'),
      venue_name: 'Hall',
      city: 'Lyon',
      lat: 45.76,
      lon: 4.83,
      capacity: 100,
      confirmed_count: 3,
      waitlist_count: 0,
      status: 'published',
      revision: 4,
      published_at: null,
    });
    expect(eventSnapshotSchema.parse(snapshot)).toEqual(snapshot);
    expect(snapshot).toMatchObject({
      organizerId: '0190f3a2-7c1e-7000-8000-000000000002',
      startsAt: '2026-12-01T19:00:00.000Z',
      venue: { name: 'Hall', city: 'Lyon', lat: 45.76, lon: 4.83 },
      confirmedCount: 3,
      publishedAt: null,
    });
  });
});
