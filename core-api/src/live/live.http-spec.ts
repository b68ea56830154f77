import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type Backend, type TestApi } from '../testing/harness.js';
import { futureEvent, TestClient, uniqueEmail } from '../testing/client.js';

interface SseEvent {
  id?: string;
  event?: string;
  data?: string;
}

/** Reads Server-Sent Events until `until` is satisfied or the timeout passes. */
async function readEvents(
  url: string,
  headers: Record<string, string>,
  until: (events: SseEvent[]) => boolean,
  timeoutMs = 10_000,
): Promise<{ events: SseEvent[]; contentType: string | null }> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  const res = await fetch(url, { headers, signal: controller.signal });
  const events: SseEvent[] = [];
  let buffer = '';
  const decoder = new TextDecoder();
  try {
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      buffer += decoder.decode(chunk, { stream: true });
      let end;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const event: SseEvent = {};
        for (const line of block.split('\n')) {
          const [field, ...rest] = line.split(': ');
          if (field === 'id' || field === 'event' || field === 'data')
            event[field] = rest.join(': ');
        }
        if (event.data) events.push(event);
      }
      if (until(events)) break;
    }
  } catch (error) {
    if ((error as Error).name !== 'AbortError') throw error;
  } finally {
    clearTimeout(timer);
    controller.abort();
  }
  return { events, contentType: res.headers.get('content-type') };
}

export function liveSpec(backend: Backend) {
  describe(`live updates over SSE (${backend})`, () => {
    let api: TestApi;
    let organizer: TestClient;
    beforeAll(async () => {
      api = await startTestApi(backend, { withRelay: true });
      organizer = new TestClient(api.base);
      await organizer.signUp(uniqueEmail('organizer'));
    });
    afterAll(() => api.close());

    it('streams the current seats at once, then every change, with the event revision as id', async () => {
      const event = (await organizer.post('/v1/events', futureEvent({ capacity: 1 }))).body;
      await organizer.post(`/v1/events/${event.id}/publish`);
      const [a, b] = [new TestClient(api.base), new TestClient(api.base)];
      await a.signUp(uniqueEmail());
      await b.signUp(uniqueEmail());

      const watching = readEvents(`${api.base}/v1/events/${event.id}/live`, {}, (events) =>
        events.some((e) => JSON.parse(e.data!).waitlistCount === 1),
      );
      await new Promise((r) => setTimeout(r, 200));
      await a.post(`/v1/events/${event.id}/registrations`);
      await b.post(`/v1/events/${event.id}/registrations`);
      const { events, contentType } = await watching;
      expect(contentType).toContain('text/event-stream');
      const states = events.map(
        (e) =>
          JSON.parse(e.data!) as {
            confirmedCount: number;
            waitlistCount: number;
            revision: number;
          },
      );
      expect(states[0]).toMatchObject({ confirmedCount: 0, waitlistCount: 0 });
      expect(states.at(-1)).toMatchObject({ confirmedCount: 1, waitlistCount: 1, capacity: 1 });
      expect(
        events.every(
          (e) => e.event === 'capacity' && Number(e.id) === JSON.parse(e.data!).revision,
        ),
      ).toBe(true);
      const revisions = states.map((s) => s.revision);
      expect(revisions).toEqual([...revisions].sort((x, y) => x - y));
    });

    it('resumes from Last-Event-ID: an up-to-date client gets nothing until the next change', async () => {
      const event = (await organizer.post('/v1/events', futureEvent({ capacity: 5 }))).body;
      const published = (await organizer.post(`/v1/events/${event.id}/publish`)).body;
      const upToDate = readEvents(
        `${api.base}/v1/events/${event.id}/live`,
        { 'last-event-id': String(published.revision) },
        (events) => events.length >= 1,
      );
      await new Promise((r) => setTimeout(r, 200));
      const attendee = new TestClient(api.base);
      await attendee.signUp(uniqueEmail());
      await attendee.post(`/v1/events/${event.id}/registrations`);
      const { events } = await upToDate;
      expect(events).toHaveLength(1);
      expect(JSON.parse(events[0]!.data!)).toMatchObject({
        confirmedCount: 1,
        revision: published.revision + 1,
      });

      const behind = await readEvents(
        `${api.base}/v1/events/${event.id}/live`,
        { 'last-event-id': String(published.revision) },
        (events) => events.length >= 1,
      );
      expect(JSON.parse(behind.events[0]!.data!)).toMatchObject({ confirmedCount: 1 });
    });

    it('does not stream drafts to strangers', async () => {
      const draft = (await organizer.post('/v1/events', futureEvent())).body;
      const res = await fetch(`${api.base}/v1/events/${draft.id}/live`);
      expect(res.status).toBe(404);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
    });
  });
}
