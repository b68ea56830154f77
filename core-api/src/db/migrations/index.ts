import type { Migration } from 'kysely';

/** Numbered migrations, applied in order. Never edit one that has shipped: add the next. */
export const migrations: Record<string, Migration> = {};
