import {
  createEventBodySchema,
  eventSchema,
  idParamsSchema,
  listEventsQuerySchema,
  pageOf,
  pageQuerySchema,
  updateEventBodySchema,
} from '@platform/contracts';
import { defineRoute, type RouteContext } from '../http/route.js';
import type { EventService } from './event.service.js';

export function eventRoutes(context: RouteContext, events: EventService): void {
  defineRoute(context, {
    method: 'post',
    path: '/v1/events',
    operationId: 'createEvent',
    summary: 'Create an event (as a draft); the caller becomes its organizer',
    tags: ['events'],
    auth: 'required',
    body: createEventBodySchema,
    responses: {
      201: {
        description: 'The draft event',
        schema: eventSchema,
        links: Object.fromEntries(
          [
            'getEvent',
            'updateEvent',
            'publishEvent',
            'cancelEvent',
            'registerForEvent',
            'getMyRegistration',
            'cancelMyRegistration',
            'listAttendees',
          ].map((operationId) => [
            operationId,
            { operationId, parameters: { id: '$response.body#/id' } },
          ]),
        ),
      },
    },
    handler: async ({ user, body }) => {
      const event = await events.create(user, body);
      return { status: 201, body: event, headers: { location: `/v1/events/${event.id}` } };
    },
  });

  defineRoute(context, {
    method: 'get',
    path: '/v1/events',
    operationId: 'listEvents',
    summary: 'Published, upcoming events in start order (keyset pagination)',
    tags: ['events'],
    auth: 'optional',
    query: listEventsQuerySchema,
    responses: { 200: { description: 'A page of events', schema: pageOf(eventSchema) } },
    handler: async ({ query }) => ({ status: 200, body: await events.list(query) }),
  });

  defineRoute(context, {
    method: 'get',
    path: '/v1/me/events',
    operationId: 'listMyEvents',
    summary: 'Events I organize, in any state, newest first',
    tags: ['events'],
    auth: 'required',
    query: pageQuerySchema,
    responses: { 200: { description: 'A page of events', schema: pageOf(eventSchema) } },
    handler: async ({ user, query }) => ({ status: 200, body: await events.listMine(user, query) }),
  });

  defineRoute(context, {
    method: 'get',
    path: '/v1/events/:id',
    operationId: 'getEvent',
    summary: 'One event (drafts only for their organizer)',
    tags: ['events'],
    auth: 'optional',
    params: idParamsSchema,
    problems: [404],
    responses: { 200: { description: 'The event', schema: eventSchema } },
    handler: async ({ user, params }) => ({ status: 200, body: await events.get(user, params.id) }),
  });

  defineRoute(context, {
    method: 'patch',
    path: '/v1/events/:id',
    operationId: 'updateEvent',
    summary: 'Edit an event; raising capacity promotes waitlisted people at once',
    tags: ['events'],
    auth: 'required',
    params: idParamsSchema,
    body: updateEventBodySchema,
    problems: [403, 404, 409, 503],
    responses: { 200: { description: 'The event', schema: eventSchema } },
    handler: async ({ user, params, body }) => ({
      status: 200,
      body: await events.update(user, params.id, body),
    }),
  });

  defineRoute(context, {
    method: 'post',
    path: '/v1/events/:id/publish',
    operationId: 'publishEvent',
    summary: 'Publish a draft (needs a future start)',
    tags: ['events'],
    auth: 'required',
    params: idParamsSchema,
    problems: [403, 404, 503],
    responses: { 200: { description: 'The published event', schema: eventSchema } },
    handler: async ({ user, params }) => ({
      status: 200,
      body: await events.publish(user, params.id),
    }),
  });

  defineRoute(context, {
    method: 'post',
    path: '/v1/events/:id/cancel',
    operationId: 'cancelEvent',
    summary: 'Cancel an event',
    tags: ['events'],
    auth: 'required',
    params: idParamsSchema,
    problems: [403, 404, 503],
    responses: { 200: { description: 'The cancelled event', schema: eventSchema } },
    handler: async ({ user, params }) => ({
      status: 200,
      body: await events.cancel(user, params.id),
    }),
  });
}
