import express, { Router, type Express } from 'express';
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Logger, Registry } from '@platform/kit';
import { createServiceApp, finishServiceApp } from '@platform/kit';
import type { SqlDatabase } from '@platform/kit/sql';
import type { AnalyticsQueries } from '@platform/analytics';
import type { SearchIndex } from '@platform/search';
import { analyticsRoutes } from './analytics/analytics.routes.js';
import { authenticate } from './auth/auth.middleware.js';
import { authRoutes } from './auth/auth.routes.js';
import { AuthService } from './auth/auth.service.js';
import { AccessTokens } from './auth/tokens.js';
import type { Db } from './db/db.js';
import { eventRoutes } from './events/event.routes.js';
import { EventService } from './events/event.service.js';
import { finishRoutes, type RouteContext } from './http/route.js';
import { idempotency } from './idempotency/idempotency.middleware.js';
import { interactionRoutes } from './interactions/interaction.routes.js';
import type { InteractionService } from './interactions/interaction.service.js';
import type { LiveHub } from './live/live.hub.js';
import { liveRoutes } from './live/live.routes.js';
import { createOpenApiRegistry, serveOpenApi } from './openapi/openapi.js';
import { createRateLimits, type RateLimitSettings } from './rate-limit/rate-limit.js';
import { createRegistrationMetrics } from './registrations/registration.metrics.js';
import { registrationRoutes } from './registrations/registration.routes.js';
import { RegistrationService } from './registrations/registration.service.js';
import type { RecommendationEngine } from './recommendations/recommendation.engine.js';
import { recommendationRoutes } from './recommendations/recommendation.routes.js';
import { searchRoutes } from './search/search.routes.js';
import type { TrainingTrigger } from '@platform/ml/serving';

export interface AppDeps {
  sql: SqlDatabase;
  db: Db;
  logger: Logger;
  metrics: Registry;
  jwtSecret: string;
  adminEmails: readonly string[];
  cookieSecure: boolean;
  rateLimits: RateLimitSettings;
  /** Fans NATS domain messages out to SSE connections. */
  live: LiveHub;
  interactions: InteractionService;
  /** BI queries over the analytics store. */
  analytics: AnalyticsQueries;
  /** Elasticsearch in production, the in-process index when embedded. */
  search: SearchIndex;
  /** Serves recommendations, similar and trending events from the live model. */
  recommendations: RecommendationEngine;
  /** Starts training: BullMQ in production, the in-process scheduler when embedded. */
  training: TrainingTrigger;
  /** Directory of the built web app to serve at `/` (embedded mode). */
  webRoot?: string;
  now?: () => Date;
}

/** The core-api HTTP app, the same in production and embedded mode. */
export function createApp(deps: AppDeps): Express {
  const app = createServiceApp({
    logger: deps.logger,
    metrics: deps.metrics,
    readiness: [{ name: 'database', check: () => deps.sql.query('SELECT 1') }],
    // 500 interactions of a few hundred bytes each.
    bodyLimits: { '/v1/interactions': '512kb' },
  });

  // navigator.sendBeacon can only send CORS-safelisted types, so the web app's page-hide flush
  // arrives as text/plain holding JSON. It carries no Authorization header either: such a batch
  // counts as the anonymous session it names, like any unauthenticated client's.
  app.use('/v1/interactions', express.json({ type: 'text/plain', limit: '512kb', strict: true }));

  const tokens = new AccessTokens(deps.jwtSecret);
  const limits = createRateLimits(deps.rateLimits);
  const auth = new AuthService({
    db: deps.db,
    tokens,
    adminEmails: deps.adminEmails,
    now: deps.now,
  });
  const registrationMetrics = createRegistrationMetrics(deps.metrics);
  const events = new EventService({ db: deps.db, now: deps.now, registrationMetrics });
  const registrations = new RegistrationService({
    db: deps.db,
    now: deps.now,
    metrics: registrationMetrics,
    onRegistered: (userId) => deps.recommendations.forgetHistory(userId),
  });

  const router = Router();
  router.use('/v1', limits.perIp, authenticate(tokens), limits.perUser);
  const registry = createOpenApiRegistry();
  const context: RouteContext = { router, registry, beforePost: idempotency(deps.db) };
  authRoutes(context, { auth, limits, cookieSecure: deps.cookieSecure });
  eventRoutes(context, events);
  registrationRoutes(context, registrations);
  liveRoutes(context, { events, hub: deps.live });
  interactionRoutes(context, deps.interactions);
  analyticsRoutes(context, { queries: deps.analytics, events });
  searchRoutes(context, {
    index: deps.search,
    logger: deps.logger,
    metrics: deps.metrics,
    // Every answered search is also a `search` interaction (for "searches without results").
    onSearch: (query, resultCount, user) => {
      deps.interactions.recordInBackground(
        [
          {
            type: 'search',
            query: query.q,
            resultCount,
            surface: 'search',
            occurredAt: new Date().toISOString(),
            sessionId: user?.id ?? 'server-anonymous',
          },
        ],
        user,
        (err) => deps.logger.warn({ err }, 'search interaction not recorded'),
      );
    },
  });
  recommendationRoutes(context, {
    engine: deps.recommendations,
    sql: deps.sql,
    training: deps.training,
    interactions: deps.interactions,
    logger: deps.logger,
    now: deps.now,
  });
  finishRoutes(context);
  app.use(router);
  serveOpenApi(app, registry);

  if (deps.webRoot && existsSync(path.join(deps.webRoot, 'index.html'))) {
    const root = deps.webRoot;
    app.use(express.static(root, { index: false, maxAge: '1h' }));
    // Client-side routes: anything that is not an API path gets the SPA shell.
    app.get(/^\/(?!v1\/|openapi\.json|docs|metrics|healthz|readyz).*/, (_req, res) => {
      res.sendFile(path.join(root, 'index.html'));
    });
  }

  return finishServiceApp(app, deps.logger);
}
