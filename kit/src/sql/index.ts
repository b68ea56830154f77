export * from './sql.port.js';
export * from './pg.adapter.js';
export * from './pglite.adapter.js';
export * from './kysely.js';
