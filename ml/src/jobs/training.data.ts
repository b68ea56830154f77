import type { AnalyticsStore } from '@platform/analytics';
import type { SqlDatabase } from '@platform/kit/sql';
import { InteractionsBuilder, type Interactions } from '../data/interaction.matrix.js';
import type { EventText } from '../hybrid/serving.model.js';

export interface TrainingDataOptions {
  readonly now: Date;
  /** Only what happened in this many days before `now`. */
  readonly windowDays: number;
  /** A signal loses half its weight every this many days. */
  readonly halfLifeDays: number;
}

/** How much each kind of signal says about a person's taste (before time decay). */
export const SIGNAL_WEIGHTS = {
  registration: 1,
  cancelledRegistration: 0.5,
  click: 0.3,
  view: 0.1,
} as const;

export interface TrainingData {
  readonly log: Interactions;
  /** Text of every event that is not a draft: for the content model and new events. */
  readonly events: EventText[];
  readonly from: Date | null;
  readonly to: Date | null;
  readonly counts: { registrations: number; clicks: number; views: number };
}

/**
 * The training log: registrations from PostgreSQL (strong) plus signed-in clicks and views from
 * ClickHouse's raw interactions (weaker, distinct ids so redelivered rows count once), each
 * weight decayed by age. One (user, event) pair may appear several times; the matrix sums them.
 */
export async function loadTrainingData(
  db: SqlDatabase,
  analytics: AnalyticsStore | null,
  options: TrainingDataOptions,
): Promise<TrainingData> {
  const now = options.now.getTime();
  const since = new Date(now - options.windowDays * 86_400_000);
  const decay = (t: number): number =>
    0.5 ** (Math.max(0, now - t) / (options.halfLifeDays * 86_400_000));
  const builder = new InteractionsBuilder();
  let from = Infinity;
  let to = -Infinity;
  const add = (user: string, item: string, weight: number, t: number): void => {
    builder.add(user, item, weight * decay(t), t);
    from = Math.min(from, t);
    to = Math.max(to, t);
  };

  const registrations = await db.query<{
    user_id: string;
    event_id: string;
    status: string;
    at: Date | string;
  }>(
    `SELECT user_id, event_id, status, created_at AS at FROM registrations
     WHERE created_at >= $1 AND created_at <= $2`,
    [since, options.now],
  );
  for (const r of registrations.rows) {
    const weight =
      r.status === 'cancelled' ? SIGNAL_WEIGHTS.cancelledRegistration : SIGNAL_WEIGHTS.registration;
    add(r.user_id, r.event_id, weight, new Date(r.at).getTime());
  }

  let clicks = 0;
  let views = 0;
  if (analytics) {
    const rows = await analytics.query<{
      user_id: string;
      event_id: string;
      type: string;
      n: string | number;
      last_ms: string | number;
    }>(
      `SELECT assumeNotNull(user_id) AS user_id, assumeNotNull(event_id) AS event_id, type,
              uniqExact(id) AS n, max(occurred_ms) AS last_ms
       FROM interactions
       WHERE user_id IS NOT NULL AND event_id IS NOT NULL AND type IN ('click', 'view')
         AND late = 0 AND occurred_at >= {since:DateTime} AND occurred_at <= {until:DateTime}
       GROUP BY user_id, event_id, type`,
      { since, until: options.now },
    );
    for (const r of rows) {
      const n = Number(r.n);
      const weight = r.type === 'click' ? SIGNAL_WEIGHTS.click : SIGNAL_WEIGHTS.view;
      // Repeated views say a little more than one, not n times more.
      add(r.user_id, r.event_id, weight * Math.min(3, n), Number(r.last_ms));
      if (r.type === 'click') clicks += n;
      else views += n;
    }
  }

  const events = await db.query<{
    id: string;
    title: string;
    description: string;
    category: string;
    tags: string[];
  }>(`SELECT id, title, description, category, tags FROM events WHERE status <> 'draft'`);
  return {
    log: builder.build(),
    events: events.rows,
    from: Number.isFinite(from) ? new Date(from) : null,
    to: Number.isFinite(to) ? new Date(to) : null,
    counts: { registrations: registrations.rows.length, clicks, views },
  };
}
