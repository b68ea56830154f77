import { analyticsSpec } from './analytics/analytics.http-spec.js';
import { authSpec } from './auth/auth.http-spec.js';
import { eventsSpec } from './events/events.http-spec.js';
import { httpSpec } from './http/http.http-spec.js';
import { idempotencySpec } from './idempotency/idempotency.http-spec.js';
import { interactionsSpec } from './interactions/interactions.http-spec.js';
import { liveSpec } from './live/live.http-spec.js';
import { recommendationsSpec } from './recommendations/recommendations.http-spec.js';
import { registrationsSpec } from './registrations/registrations.http-spec.js';

/** The whole HTTP suite on the real PostgreSQL (`npm run test:integration`). */
authSpec('postgres');
eventsSpec('postgres');
registrationsSpec('postgres');
idempotencySpec('postgres');
httpSpec('postgres');
liveSpec('postgres');
interactionsSpec('postgres');
analyticsSpec('postgres');
recommendationsSpec('postgres');
