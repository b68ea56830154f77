import {
  attendeeSchema,
  attendeesQuerySchema,
  idParamsSchema,
  myRegistrationsQuerySchema,
  pageOf,
  registrationSchema,
  registrationWithEventSchema,
} from '@platform/contracts';
import { defineRoute, type RouteContext } from '../http/route.js';
import type { RegistrationService } from './registration.service.js';

export function registrationRoutes(
  context: RouteContext,
  registrations: RegistrationService,
): void {
  defineRoute(context, {
    method: 'post',
    path: '/v1/events/:id/registrations',
    operationId: 'registerForEvent',
    summary: 'Register for an event: confirmed while seats last, then waitlisted with a position',
    tags: ['registrations'],
    auth: 'required',
    params: idParamsSchema,
    problems: [404, 503],
    responses: {
      201: {
        description: 'Registered (confirmed, or waitlisted with a position)',
        schema: registrationSchema,
      },
      200: {
        description: 'Already registered: the existing registration',
        schema: registrationSchema,
      },
    },
    handler: async ({ user, params }) => {
      const { registration, created } = await registrations.register(user, params.id);
      return { status: created ? 201 : 200, body: registration };
    },
  });

  defineRoute(context, {
    method: 'get',
    path: '/v1/events/:id/registrations/me',
    operationId: 'getMyRegistration',
    summary: 'My registration for an event (confirmed, or waitlisted with its current position)',
    tags: ['registrations'],
    auth: 'required',
    params: idParamsSchema,
    problems: [404],
    responses: { 200: { description: 'My registration', schema: registrationSchema } },
    handler: async ({ user, params }) => ({
      status: 200,
      body: await registrations.mine(user, params.id),
    }),
  });

  defineRoute(context, {
    method: 'delete',
    path: '/v1/events/:id/registrations/me',
    operationId: 'cancelMyRegistration',
    summary: 'Cancel my registration; a freed seat goes to the first person waiting',
    tags: ['registrations'],
    auth: 'required',
    params: idParamsSchema,
    problems: [404, 409, 503],
    responses: { 200: { description: 'The cancelled registration', schema: registrationSchema } },
    handler: async ({ user, params }) => ({
      status: 200,
      body: await registrations.cancel(user, params.id),
    }),
  });

  defineRoute(context, {
    method: 'get',
    path: '/v1/me/registrations',
    operationId: 'listMyRegistrations',
    summary: 'My registrations with their events, newest first',
    tags: ['registrations'],
    auth: 'required',
    query: myRegistrationsQuerySchema,
    responses: {
      200: { description: 'A page of registrations', schema: pageOf(registrationWithEventSchema) },
    },
    handler: async ({ user, query }) => ({
      status: 200,
      body: await registrations.listMine(user, query),
    }),
  });

  defineRoute(context, {
    method: 'get',
    path: '/v1/events/:id/attendees',
    operationId: 'listAttendees',
    summary: "An event's confirmed attendees or its waitlist (organizer or admin)",
    tags: ['registrations'],
    auth: 'required',
    params: idParamsSchema,
    query: attendeesQuerySchema,
    problems: [403, 404],
    responses: { 200: { description: 'A page of attendees', schema: pageOf(attendeeSchema) } },
    handler: async ({ user, params, query }) => ({
      status: 200,
      body: await registrations.attendees(user, params.id, query),
    }),
  });
}
