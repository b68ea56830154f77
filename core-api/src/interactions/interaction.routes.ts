import { interactionBatchSchema } from '@platform/contracts';
import { z } from 'zod';
import { defineRoute, type RouteContext } from '../http/route.js';
import type { InteractionService } from './interaction.service.js';

export function interactionRoutes(context: RouteContext, interactions: InteractionService): void {
  defineRoute(context, {
    method: 'post',
    path: '/v1/interactions',
    operationId: 'recordInteractions',
    summary:
      'Record 1 to 500 impressions, views, clicks, searches or shares (signed in or with a sessionId)',
    tags: ['interactions'],
    auth: 'optional',
    body: interactionBatchSchema,
    problems: [503],
    responses: {
      202: {
        description: 'Accepted for processing',
        schema: z.object({ accepted: z.number().int() }),
      },
    },
    handler: async ({ body, user }) => {
      const recorded = await interactions.record(body.interactions, user);
      return { status: 202, body: { accepted: recorded.length } };
    },
  });
}
