import { businessDashboard } from './business.dashboard.js';
import type { GrafanaDashboard } from './grafana.model.js';
import { mlDashboard } from './ml.dashboard.js';
import { operationsDashboard } from './operations.dashboard.js';

/**
 * Every provisioned dashboard and the folder it goes in. Grafana's file provider takes folders
 * from the directory structure (provisioning/dashboards/dashboards.yaml), so each is written to
 * `monitoring/grafana/dashboards/<folder>/<uid>.json`.
 */
export const dashboards: { folder: string; dashboard: GrafanaDashboard }[] = [
  { folder: 'Business', dashboard: businessDashboard },
  { folder: 'Operations', dashboard: operationsDashboard },
  { folder: 'ML', dashboard: mlDashboard },
];

export const dashboardPath = (folder: string, uid: string) => `${folder}/${uid}.json`;

/** The file content: two-space JSON and a final newline, as written by the build. */
export const dashboardJson = (dashboard: GrafanaDashboard) =>
  `${JSON.stringify(dashboard, null, 2)}\n`;
