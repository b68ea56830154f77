import { domainMessageSchema, type DomainMessage, type EventSnapshot } from '@platform/contracts';
import { newId } from '@platform/kit';
import { describe, expect, it } from 'vitest';
import { applyMessage, mergeDocuments, type SearchDocument } from './search-document.js';

const id = newId();
const snapshot: EventSnapshot = {
  id,
  organizerId: newId(),
  title: 'Salsa night',
  description: '',
  category: 'dance',
  tags: [],
  startsAt: '2030-01-10T20:00:00.000Z',
  endsAt: '2030-01-10T23:00:00.000Z',
  venue: { name: 'Hall', city: 'Lyon', lat: 45.76, lon: 4.83 },
  capacity: 100,
  confirmedCount: 0,
  waitlistCount: 0,
  status: 'published',
  revision: 2,
  publishedAt: '2030-01-01T00:00:00.000Z',
};
const published = (s: EventSnapshot, occurredAt = '2030-01-01T00:00:00.000Z') =>
  domainMessageSchema.parse({
    id: newId(),
    type: 'event.published',
    version: 1,
    occurredAt,
    aggregateId: s.id,
    data: s,
  });
const confirmed = (confirmedCount: number, eventRevision: number, occurredAt: string) =>
  domainMessageSchema.parse({
    id: newId(),
    type: 'registration.confirmed',
    version: 1,
    occurredAt,
    aggregateId: id,
    data: {
      registrationId: newId(),
      eventId: id,
      userId: newId(),
      status: 'confirmed',
      position: null,
      capacity: 100,
      confirmedCount,
      waitlistCount: 0,
      eventRevision,
    },
  });

const applyAll = (messages: DomainMessage[]) =>
  messages.reduce<SearchDocument | undefined>((doc, m) => applyMessage(doc, m) ?? doc, undefined);

describe('search document versioning', () => {
  it('builds a recent-gain trend that halves every day', () => {
    const doc = applyAll([
      published(snapshot),
      confirmed(4, 3, '2030-01-02T00:00:00.000Z'),
      confirmed(6, 4, '2030-01-03T00:00:00.000Z'),
    ]);
    expect(doc?.trend).toEqual({ value: 4 * 0.5 + 2, at: '2030-01-03T00:00:00.000Z' });
    expect(doc?.counts.confirmedCount).toBe(6);
  });

  it('does not count cancellations as demand', () => {
    const doc = applyAll([
      published(snapshot),
      confirmed(4, 3, '2030-01-02T00:00:00.000Z'),
      confirmed(1, 4, '2030-01-02T00:00:00.000Z'),
    ]);
    expect(doc?.trend?.value).toBe(4);
    expect(doc?.counts.confirmedCount).toBe(1);
  });

  it('reaches the same document from any order of the same messages', () => {
    const messages = [
      published({ ...snapshot, status: 'draft', revision: 1 }),
      published(snapshot),
      confirmed(4, 3, '2030-01-02T00:00:00.000Z'),
      published({ ...snapshot, title: 'Salsa & bachata night', confirmedCount: 4, revision: 4 }),
    ];
    const inOrder = applyAll(messages);
    const reversed = applyAll([...messages].reverse());
    expect(reversed?.event).toEqual(inOrder?.event);
    expect(reversed?.counts).toEqual(inOrder?.counts);
    expect([reversed?.snapshotRevision, reversed?.countsRevision]).toEqual([4, 4]);
  });

  it('merges two versions part by part, and reports when nothing is newer', () => {
    const older = applyAll([published(snapshot)])!;
    const newerCounts = applyAll([
      published(snapshot),
      confirmed(9, 5, '2030-01-02T00:00:00.000Z'),
    ])!;
    const newerTitle = applyAll([published({ ...snapshot, title: 'Tango', revision: 3 })])!;
    const merged = mergeDocuments(newerCounts, newerTitle)!;
    expect(merged.event?.title).toBe('Tango');
    expect(merged.counts.confirmedCount).toBe(9);
    expect(mergeDocuments(merged, older)).toBeUndefined();
  });
});
