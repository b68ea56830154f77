import {
  analyticsOverviewSchema,
  analyticsRangeQuerySchema,
  eventStatsSchema,
  idParamsSchema,
  searchesQuerySchema,
  searchReportSchema,
  topEventsSchema,
  topQuerySchema,
} from '@platform/contracts';
import type { AnalyticsQueries } from '@platform/analytics';
import { ForbiddenError } from '@platform/kit';
import type { AuthUser } from '../auth/auth.types.js';
import type { EventService } from '../events/event.service.js';
import { defineRoute, type RouteContext } from '../http/route.js';

const adminOnly = (user: AuthUser) => {
  if (user.role !== 'admin') throw new ForbiddenError('Analytics are for admins');
};

/** BI read APIs over the analytics store (ClickHouse, or chdb when embedded). */
export function analyticsRoutes(
  context: RouteContext,
  deps: { queries: AnalyticsQueries; events: EventService },
): void {
  defineRoute(context, {
    method: 'get',
    path: '/v1/analytics/overview',
    operationId: 'analyticsOverview',
    summary: 'Registrations, views, click-through, conversion and active users over time (admin)',
    tags: ['analytics'],
    auth: 'required',
    query: analyticsRangeQuerySchema,
    problems: [403],
    responses: { 200: { description: 'Totals and a series', schema: analyticsOverviewSchema } },
    handler: async ({ user, query }) => {
      adminOnly(user);
      return { status: 200, body: await deps.queries.overview(query) };
    },
  });

  defineRoute(context, {
    method: 'get',
    path: '/v1/analytics/events/:id',
    operationId: 'analyticsForEvent',
    summary:
      "One event's impressions, views, clicks, searches and registrations (its organizer or an admin)",
    tags: ['analytics'],
    auth: 'required',
    params: idParamsSchema,
    query: analyticsRangeQuerySchema,
    problems: [403, 404],
    responses: { 200: { description: 'Totals and a series', schema: eventStatsSchema } },
    handler: async ({ user, params, query }) => {
      const event = await deps.events.get(user, params.id);
      if (user.role !== 'admin' && event.organizerId !== user.id) {
        throw new ForbiddenError("Only the organizer or an admin may see an event's analytics");
      }
      return { status: 200, body: await deps.queries.eventStats(params.id, query) };
    },
  });

  defineRoute(context, {
    method: 'get',
    path: '/v1/analytics/top',
    operationId: 'analyticsTop',
    summary: 'Top events by a metric (admin)',
    tags: ['analytics'],
    auth: 'required',
    query: topQuerySchema,
    problems: [403],
    responses: { 200: { description: 'Ranked events', schema: topEventsSchema } },
    handler: async ({ user, query }) => {
      adminOnly(user);
      return { status: 200, body: await deps.queries.top(query) };
    },
  });

  defineRoute(context, {
    method: 'get',
    path: '/v1/analytics/searches',
    operationId: 'analyticsSearches',
    summary: 'Top searches and searches without results (admin)',
    tags: ['analytics'],
    auth: 'required',
    query: searchesQuerySchema,
    problems: [403],
    responses: { 200: { description: 'Search report', schema: searchReportSchema } },
    handler: async ({ user, query }) => {
      adminOnly(user);
      return { status: 200, body: await deps.queries.searches(query) };
    },
  });
}
