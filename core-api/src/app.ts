import express, { type Express } from 'express';
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Logger, Registry } from '@platform/kit';
import { createServiceApp, finishServiceApp } from '@platform/kit';
import type { SqlDatabase } from '@platform/kit/sql';

export interface AppDeps {
  db: SqlDatabase;
  logger: Logger;
  metrics: Registry;
  /** Directory of the built web app to serve at `/` (embedded mode). */
  webRoot?: string;
}

/** The core-api HTTP app, the same in production and embedded mode. */
export function createApp(deps: AppDeps): Express {
  const app = createServiceApp({
    logger: deps.logger,
    metrics: deps.metrics,
    readiness: [{ name: 'database', check: () => deps.db.query('SELECT 1') }],
  });

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
