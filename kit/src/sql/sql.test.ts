import { describeSqlContract } from './sql.contract.js';
import { createPgliteDatabase } from './pglite.adapter.js';

describeSqlContract('PGlite (in-memory)', () => createPgliteDatabase());
