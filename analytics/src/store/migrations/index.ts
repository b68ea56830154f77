import type { Migration } from '../migration.runner.js';
import { rawTables } from './001-raw-tables.migration.js';
import { interactionWindows } from './002-interaction-windows.migration.js';
import { rollupViews } from './003-rollup-views.migration.js';
import { consumerProgress } from './004-consumer-progress.migration.js';
import { interactionSurface } from './005-interaction-surface.migration.js';

/** Every migration, in order. A new one gets the next number and goes at the end. */
export const migrations: readonly Migration[] = [
  rawTables,
  interactionWindows,
  rollupViews,
  consumerProgress,
  interactionSurface,
];
