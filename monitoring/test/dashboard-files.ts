import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { GrafanaDashboard, GrafanaPanel } from '../grafana/src/grafana.model.js';

/** What Grafana provisions: the JSON files under monitoring/grafana/dashboards. */
export const dashboardsDir = fileURLToPath(new URL('../grafana/dashboards/', import.meta.url));
export const provisioningDir = fileURLToPath(new URL('../grafana/provisioning/', import.meta.url));

export interface DashboardFile {
  /** Relative to dashboardsDir, e.g. `Business/platform-business.json`. */
  file: string;
  dashboard: GrafanaDashboard;
}

export function readDashboardFiles(): DashboardFile[] {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else files.push(path.relative(dashboardsDir, full));
    }
  };
  walk(dashboardsDir);
  return files.sort().map((file) => ({
    file,
    dashboard: JSON.parse(readFileSync(path.join(dashboardsDir, file), 'utf8')) as GrafanaDashboard,
  }));
}

export interface PanelQuery {
  dashboard: string;
  panel: string;
  refId: string;
  datasource: string;
  /** PromQL or SQL as written in the dashboard. */
  query: string;
  /** Table or time series (format 0 / time_series / a range query). */
  timeSeries: boolean;
}

const panelsOf = (panels: GrafanaPanel[]): GrafanaPanel[] =>
  panels.flatMap((p) => [p, ...panelsOf(p.panels ?? [])]);

/** Every query of every panel of `files`, with the datasource uid it goes to. */
export function panelQueries(files: DashboardFile[]): PanelQuery[] {
  return files.flatMap(({ dashboard }) =>
    panelsOf(dashboard.panels).flatMap((panel) =>
      (panel.targets ?? []).map((t) => ({
        dashboard: dashboard.uid,
        panel: panel.title,
        refId: t.refId,
        datasource: t.datasource.uid,
        query: 'expr' in t ? t.expr : t.rawSql,
        timeSeries: 'expr' in t ? t.range : t.format === 0 || t.format === 'time_series',
      })),
    ),
  );
}

/** Every template variable's query (all ClickHouse), by dashboard. */
export function variableQueries(files: DashboardFile[]) {
  return files.flatMap(({ dashboard }) =>
    dashboard.templating.list.map((v) => ({
      dashboard: dashboard.uid,
      name: v.name,
      datasource: v.datasource.uid,
      query: v.query,
    })),
  );
}
