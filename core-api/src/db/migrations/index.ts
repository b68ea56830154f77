import type { Migration } from 'kysely';
import * as initial from './0001_initial.js';
import * as registerFunction from './0002_register_function.js';
import * as outboxNotify from './0003_outbox_notify.js';
import * as mlModels from './0004_ml_models.js';

/** Numbered migrations, applied in order. Never edit one that has shipped: add the next. */
export const migrations: Record<string, Migration> = {
  '0001_initial': initial,
  '0002_register_function': registerFunction,
  '0003_outbox_notify': outboxNotify,
  '0004_ml_models': mlModels,
};
