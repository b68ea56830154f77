import {
  idParamsSchema,
  modelsResponseSchema,
  recommendationsQuerySchema,
  recommendationsResponseSchema,
  retrainResponseSchema,
  similarQuerySchema,
  trendingQuerySchema,
  type InteractionInput,
  type InteractionSurface,
  type RecommendationsResponse,
} from '@platform/contracts';
import { ForbiddenError, NotFoundError, type Logger } from '@platform/kit';
import type { SqlDatabase } from '@platform/kit/sql';
import { ModelRegistry, type TrainingTrigger } from '@platform/ml/serving';
import type { AuthUser } from '../auth/auth.types.js';
import { defineRoute, type RouteContext } from '../http/route.js';
import type { InteractionService } from '../interactions/interaction.service.js';
import type { RecommendationEngine } from './recommendation.engine.js';

export interface RecommendationRouteDeps {
  engine: RecommendationEngine;
  sql: SqlDatabase;
  training: TrainingTrigger;
  interactions: InteractionService;
  logger: Logger;
  now?: () => Date;
}

/** Recommendations, similar and trending events; model status and retraining for admins. */
export function recommendationRoutes(context: RouteContext, deps: RecommendationRouteDeps): void {
  const registry = new ModelRegistry(deps.sql);

  // Every list served is recorded as impressions (the surface tells recommendation CTR apart).
  // After the response is built; a full ingest buffer only costs the impressions.
  const served = (
    body: RecommendationsResponse,
    surface: InteractionSurface,
    user: AuthUser | undefined,
  ): RecommendationsResponse => {
    if (body.items.length > 0) {
      const occurredAt = (deps.now?.() ?? new Date()).toISOString();
      const impressions: InteractionInput[] = body.items.map((item, position) => ({
        type: 'impression',
        eventId: item.event.id,
        position,
        surface,
        occurredAt,
        sessionId: user?.id ?? 'server-anonymous',
      }));
      deps.interactions.recordInBackground(impressions, user, (err) =>
        deps.logger.debug({ err }, 'impressions not recorded'),
      );
    }
    return body;
  };

  defineRoute(context, {
    method: 'get',
    path: '/v1/recommendations',
    operationId: 'recommendations',
    etag: false,
    summary:
      'Upcoming events for the signed-in person, with reasons; trending events for anonymous or new people',
    tags: ['recommendations'],
    auth: 'optional',
    query: recommendationsQuerySchema,
    responses: { 200: { description: 'Ranked events', schema: recommendationsResponseSchema } },
    handler: async ({ user, query }) => ({
      status: 200,
      body: served(await deps.engine.recommend(user?.id ?? null, query), 'recommendations', user),
    }),
  });

  defineRoute(context, {
    method: 'get',
    path: '/v1/events/:id/similar',
    operationId: 'similarEvents',
    etag: false,
    summary: 'Upcoming events like this one',
    tags: ['recommendations'],
    auth: 'optional',
    params: idParamsSchema,
    query: similarQuerySchema,
    problems: [404],
    responses: { 200: { description: 'Ranked events', schema: recommendationsResponseSchema } },
    handler: async ({ user, params, query }) => {
      const body = await deps.engine.similar(params.id, query.limit);
      if (!body) throw new NotFoundError('No such event');
      return { status: 200, body: served(body, 'similar', user) };
    },
  });

  defineRoute(context, {
    method: 'get',
    path: '/v1/trending',
    operationId: 'trendingEvents',
    etag: false,
    summary: 'Events gaining registrations and views, favouring those starting soon',
    tags: ['recommendations'],
    auth: 'optional',
    query: trendingQuerySchema,
    responses: { 200: { description: 'Ranked events', schema: recommendationsResponseSchema } },
    handler: async ({ user, query }) => ({
      status: 200,
      body: served(deps.engine.trending(query), 'trending', user),
    }),
  });

  const adminOnly = (user: AuthUser) => {
    if (user.role !== 'admin') throw new ForbiddenError('Model management is for admins');
  };

  defineRoute(context, {
    method: 'get',
    path: '/v1/admin/ml/models',
    operationId: 'mlModels',
    summary: 'The live model and the latest training runs with their offline metrics (admin)',
    tags: ['ml'],
    auth: 'required',
    problems: [403],
    responses: { 200: { description: 'Model registry', schema: modelsResponseSchema } },
    handler: async ({ user }) => {
      adminOnly(user);
      const models = await registry.list(20);
      const live = models.find((m) => m.status === 'live') ?? (await registry.liveSummary());
      return {
        status: 200,
        body: { live, models, training: await deps.training.isTraining() },
      };
    },
  });

  defineRoute(context, {
    method: 'post',
    path: '/v1/admin/ml/retrain',
    operationId: 'mlRetrain',
    summary: 'Start a training run now; at most one runs at a time (admin)',
    tags: ['ml'],
    auth: 'required',
    problems: [403],
    responses: {
      202: { description: 'Queued, or already running', schema: retrainResponseSchema },
    },
    handler: async ({ user }) => {
      adminOnly(user);
      return { status: 202, body: await deps.training.trigger(`admin:${user.id}`) };
    },
  });
}
