import { recentViewCounts, type AnalyticsStore } from '@platform/analytics';
import type { ServiceContext } from '@platform/kit';
import type { MessageLog } from '@platform/kit/messaging';
import type { SqlDatabase } from '@platform/kit/sql';
import type { Kysely } from 'kysely';
import type { Database } from './db/schema.js';
import { startHousekeeping } from './housekeeping/housekeeping.js';
import { LiveHub } from './live/live.hub.js';
import { OutboxRelay } from './outbox/outbox.relay.js';
import { RecommendationEngine } from './recommendations/recommendation.engine.js';

/**
 * What both composition roots (production `main.ts`, embedded `embedded.ts`) start alike around
 * the app: the outbox relay and live updates on the NATS side, housekeeping, and recommendations
 * from the live model (swapped in place on `ml.model.promoted`). Each is stopped on shutdown.
 */
export async function startCoreServices(
  ctx: ServiceContext,
  deps: {
    sql: SqlDatabase;
    db: Kysely<Database>;
    /** JetStream in production, the in-memory log when embedded. */
    natsLog: MessageLog;
    analyticsStore: AnalyticsStore;
    /** Rank recommendations on a worker thread (config RANKING_THREAD). */
    rankingThread: boolean;
  },
): Promise<{ live: LiveHub; recommendations: RecommendationEngine }> {
  const { logger, metrics, shutdown } = ctx;
  const relay = new OutboxRelay({ db: deps.db, sql: deps.sql, log: deps.natsLog, logger, metrics });
  await relay.start();
  shutdown.add('outbox relay', () => relay.stop());
  const live = new LiveHub({ log: deps.natsLog, logger, metrics });
  await live.start();
  shutdown.add('live hub', () => live.stop());
  shutdown.add('housekeeping', startHousekeeping(deps.db, logger));
  const recommendations = new RecommendationEngine({
    sql: deps.sql,
    log: deps.natsLog,
    logger,
    metrics,
    recentViews: (since) => recentViewCounts(deps.analyticsStore, since),
    options: { rankingThread: deps.rankingThread },
  });
  await recommendations.start();
  shutdown.add('recommendations', () => recommendations.stop());
  return { live, recommendations };
}
