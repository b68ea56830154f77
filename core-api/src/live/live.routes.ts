import { capacityEventSchema, idParamsSchema } from '@platform/contracts';
import type { EventService } from '../events/event.service.js';
import { defineRoute, type RouteContext } from '../http/route.js';
import type { CapacityUpdate, LiveHub } from './live.hub.js';

const HEARTBEAT_MS = 15_000;

/**
 * `GET /v1/events/:id/live`: Server-Sent Events of an event's capacity, confirmed and waitlist
 * counts. Each SSE id is the event revision; the counts are state, not deltas, so a reconnect
 * with `Last-Event-ID` gets the current state at once if it changed since that revision.
 */
export function liveRoutes(
  context: RouteContext,
  deps: { events: EventService; hub: LiveHub },
): void {
  defineRoute(context, {
    method: 'get',
    path: '/v1/events/:id/live',
    operationId: 'watchEvent',
    summary: "Live updates of an event's seats (Server-Sent Events; resumes from Last-Event-ID)",
    tags: ['events'],
    auth: 'optional',
    params: idParamsSchema,
    problems: [404],
    responses: {
      200: {
        description: 'An event stream: `event: capacity` with JSON data, `id` = event revision',
        schema: capacityEventSchema,
        contentType: 'text/event-stream',
      },
    },
    handler: async ({ user, params, req, res }) => {
      const event = await deps.events.get(user, params.id);
      const lastSeen = Number(req.get('last-event-id'));
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      });
      res.write('retry: 3000\n\n');
      let sent = Number.isFinite(lastSeen) ? lastSeen : 0;
      const send = (update: CapacityUpdate) => {
        if (update.revision <= sent) return;
        sent = update.revision;
        res.write(`id: ${update.revision}\nevent: capacity\ndata: ${JSON.stringify(update)}\n\n`);
      };
      // Subscribe before reading the current state, so nothing falls between the two.
      const unsubscribe = deps.hub.subscribe(event.id, send);
      const current = await deps.events.get(user, params.id).catch(() => event);
      send({
        eventId: current.id,
        revision: current.revision,
        capacity: current.capacity,
        confirmedCount: current.confirmedCount,
        waitlistCount: current.waitlistCount,
        status: current.status,
      });
      const heartbeat = setInterval(() => res.write(': ping\n\n'), HEARTBEAT_MS);
      req.on('close', () => {
        clearInterval(heartbeat);
        unsubscribe();
      });
      return { status: 200, streamed: true };
    },
  });
}
