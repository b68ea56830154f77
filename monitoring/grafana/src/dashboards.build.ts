import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { dashboardJson, dashboardPath, dashboards } from './dashboards.js';

/**
 * `npm run monitoring:dashboards`: writes the dashboard JSON Grafana provisions from the
 * TypeScript in this folder. The JSON is committed; `npm test` fails when it is out of date.
 */
const root = fileURLToPath(new URL('../dashboards/', import.meta.url));
for (const folder of new Set(dashboards.map((d) => d.folder))) {
  rmSync(path.join(root, folder), { recursive: true, force: true });
}
for (const { folder, dashboard } of dashboards) {
  const file = path.join(root, dashboardPath(folder, dashboard.uid));
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, dashboardJson(dashboard));
  console.log(`wrote ${path.relative(process.cwd(), file)}`);
}
