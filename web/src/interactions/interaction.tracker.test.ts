import { describe, expect, it, vi } from 'vitest';
import {
  INTERACTIONS_URL,
  InteractionTracker,
  MAX_BATCH,
  browserSessionId,
} from './interaction.tracker.js';

const eventId = '01a20008-0000-7000-8000-000000000001';
const at = new Date('2030-01-01T10:00:00.000Z');

describe('InteractionTracker', () => {
  it('stamps each interaction with the time and session, and sends a batch when it fills', async () => {
    const post = vi.fn().mockResolvedValue(undefined);
    const tracker = new InteractionTracker({
      post,
      sessionId: 'session-123',
      now: () => at,
      batchSize: 3,
    });
    tracker.record({ type: 'impression', eventId, surface: 'discover', position: 0 });
    tracker.record({ type: 'impression', eventId, surface: 'discover', position: 1 });
    expect(post).not.toHaveBeenCalled();
    tracker.record({ type: 'click', eventId, surface: 'discover', position: 1 });
    await vi.waitFor(() => expect(post).toHaveBeenCalledOnce());
    expect(post.mock.calls[0]![0].interactions).toEqual([
      {
        type: 'impression',
        eventId,
        surface: 'discover',
        position: 0,
        occurredAt: at.toISOString(),
        sessionId: 'session-123',
      },
      {
        type: 'impression',
        eventId,
        surface: 'discover',
        position: 1,
        occurredAt: at.toISOString(),
        sessionId: 'session-123',
      },
      {
        type: 'click',
        eventId,
        surface: 'discover',
        position: 1,
        occurredAt: at.toISOString(),
        sessionId: 'session-123',
      },
    ]);
    expect(tracker.pending).toBe(0);
  });

  it('sends at most 500 per request', async () => {
    const post = vi.fn().mockResolvedValue(undefined);
    const tracker = new InteractionTracker({
      post,
      sessionId: 'session-123',
      batchSize: 10_000,
      maxQueue: 10_000,
    });
    for (let i = 0; i < 1_200; i++) tracker.record({ type: 'impression', eventId, position: i });
    await tracker.flush();
    expect(post.mock.calls.map((c) => c[0].interactions.length)).toEqual([
      MAX_BATCH,
      MAX_BATCH,
      200,
    ]);
  });

  it('keeps a batch the server could not take for now, and drops one it refused', async () => {
    const post = vi
      .fn()
      .mockRejectedValueOnce(Object.assign(new Error('unavailable'), { status: 503 }))
      .mockRejectedValueOnce(Object.assign(new Error('bad'), { status: 400 }));
    const tracker = new InteractionTracker({ post, sessionId: 'session-123', batchSize: 100 });
    tracker.record({ type: 'view', eventId });
    await tracker.flush();
    expect(tracker.pending).toBe(1);
    await tracker.flush();
    expect(tracker.pending).toBe(0);
  });

  it('flushes by beacon on page hide: JSON text the API accepts, chunked under the beacon limit', () => {
    const sent: { url: string; body: string }[] = [];
    const tracker = new InteractionTracker({
      post: vi.fn(),
      beacon: (url, body) => (sent.push({ url, body }), true),
      sessionId: 'session-123',
      batchSize: 10_000,
      maxQueue: 10_000,
    });
    for (let i = 0; i < 900; i++)
      tracker.record({ type: 'impression', eventId, surface: 'trending', position: i });
    tracker.flushWithBeacon();
    expect(tracker.pending).toBe(0);
    expect(sent.length).toBeGreaterThan(1);
    expect(sent.every((s) => s.url === INTERACTIONS_URL && s.body.length <= 60_000)).toBe(true);
    const all = sent.flatMap(
      (s) => (JSON.parse(s.body) as { interactions: unknown[] }).interactions,
    );
    expect(all).toHaveLength(900);
  });

  it('keeps what the browser would not queue as a beacon', () => {
    const tracker = new InteractionTracker({
      post: vi.fn(),
      beacon: () => false,
      sessionId: 'session-123',
    });
    tracker.record({ type: 'view', eventId });
    tracker.flushWithBeacon();
    expect(tracker.pending).toBe(1);
  });

  it('flushes with a beacon when the page is hidden', () => {
    const beacon = vi.fn().mockReturnValue(true);
    const tracker = new InteractionTracker({ post: vi.fn(), beacon, sessionId: 'session-123' });
    const stop = tracker.start(window, 60_000);
    tracker.record({ type: 'view', eventId });
    window.dispatchEvent(new Event('pagehide'));
    expect(beacon).toHaveBeenCalledOnce();
    stop();
  });
});

describe('browserSessionId', () => {
  it('keeps one valid id per tab', () => {
    const id = browserSessionId(sessionStorage);
    expect(id).toMatch(/^[A-Za-z0-9_-]{8,64}$/);
    expect(browserSessionId(sessionStorage)).toBe(id);
  });
});
