/**
 * A small model of Grafana dashboard JSON (schemaVersion 39, Grafana 11) and the builders the
 * dashboards are written with. Panels are laid out left to right on Grafana's 24-column grid;
 * ids and refIds are given in order, so the JSON is stable from one build to the next.
 */

export interface DatasourceRef {
  type: string;
  uid: string;
}

/** The datasources provisioned in provisioning/datasources/datasources.yaml, by uid. */
export const datasources = {
  prometheus: { type: 'prometheus', uid: 'prometheus' },
  clickhouse: { type: 'grafana-clickhouse-datasource', uid: 'clickhouse' },
  postgres: { type: 'grafana-postgresql-datasource', uid: 'postgres' },
} as const satisfies Record<string, DatasourceRef>;

export type PromTarget = {
  datasource: typeof datasources.prometheus;
  expr: string;
  legendFormat: string;
  instant: boolean;
  range: boolean;
};

/** The ClickHouse plugin's SQL editor query; `format` 0 = time series, 1 = table. */
export type ClickHouseTarget = {
  datasource: typeof datasources.clickhouse;
  editorType: 'sql';
  queryType: 'timeseries' | 'table';
  format: 0 | 1;
  rawSql: string;
};

export type PostgresTarget = {
  datasource: typeof datasources.postgres;
  editorMode: 'code';
  rawQuery: true;
  format: 'time_series' | 'table';
  rawSql: string;
};

export type Target = PromTarget | ClickHouseTarget | PostgresTarget;

/** A range query over time; `legend` is Grafana's legend template (`{{job}}`). */
export const prom = (expr: string, legend = ''): PromTarget => ({
  datasource: datasources.prometheus,
  expr: squeeze(expr),
  legendFormat: legend,
  instant: false,
  range: true,
});

/** One value per series at the end of the range (stat and table panels). */
export const promInstant = (expr: string, legend = ''): PromTarget => ({
  ...prom(expr, legend),
  instant: true,
  range: false,
});

export const clickhouse = (sql: string, format: 'timeseries' | 'table'): ClickHouseTarget => ({
  datasource: datasources.clickhouse,
  editorType: 'sql',
  queryType: format,
  format: format === 'timeseries' ? 0 : 1,
  rawSql: dedent(sql),
});

export const postgres = (sql: string, format: 'time_series' | 'table'): PostgresTarget => ({
  datasource: datasources.postgres,
  editorMode: 'code',
  rawQuery: true,
  format,
  rawSql: dedent(sql),
});

export type PanelType = 'timeseries' | 'stat' | 'table' | 'bargauge' | 'barchart';

export interface PanelSpec {
  type: PanelType;
  title: string;
  description: string;
  targets: Target[];
  /** Grid columns out of 24 (default 12) and rows (default 8). */
  width?: number;
  height?: number;
  unit?: string;
  /** Extra panel options (legend, orientation, ...). */
  options?: Record<string, unknown>;
  /** Stack series in a time series panel. */
  stacked?: boolean;
}

export interface RowSpec {
  row: string;
}

export interface VariableSpec {
  name: string;
  label: string;
  /** A query on ClickHouse returning one column of values. */
  sql: string;
}

export interface DashboardSpec {
  uid: string;
  title: string;
  description: string;
  tags: string[];
  /** Default time range, e.g. `now-24h`. */
  from: string;
  refresh: string;
  variables?: VariableSpec[];
  panels: (PanelSpec | RowSpec)[];
}

export interface GrafanaPanel {
  id: number;
  type: string;
  title: string;
  gridPos: { h: number; w: number; x: number; y: number };
  description?: string;
  datasource?: DatasourceRef;
  targets?: (Target & { refId: string })[];
  fieldConfig?: { defaults: Record<string, unknown>; overrides: unknown[] };
  options?: Record<string, unknown>;
  collapsed?: boolean;
  panels?: GrafanaPanel[];
}

export interface GrafanaVariable {
  type: 'query';
  name: string;
  label: string;
  datasource: DatasourceRef;
  query: string;
  definition: string;
  multi: boolean;
  includeAll: boolean;
  current: { text: string[]; value: string[] };
  refresh: 1 | 2;
  sort: 1;
  options: [];
}

export interface GrafanaDashboard {
  uid: string;
  title: string;
  description: string;
  tags: string[];
  editable: boolean;
  graphTooltip: 1;
  schemaVersion: 39;
  version: 1;
  timezone: 'utc';
  time: { from: string; to: string };
  refresh: string;
  annotations: { list: unknown[] };
  templating: { list: GrafanaVariable[] };
  panels: GrafanaPanel[];
}

const isRow = (p: PanelSpec | RowSpec): p is RowSpec => 'row' in p;

/** Builds the dashboard JSON: ids, refIds and grid positions in order. */
export function dashboard(spec: DashboardSpec): GrafanaDashboard {
  const panels: GrafanaPanel[] = [];
  let id = 0;
  let x = 0;
  let y = 0;
  let rowHeight = 0;
  const newLine = () => {
    if (x > 0) y += rowHeight;
    x = 0;
    rowHeight = 0;
  };
  for (const p of spec.panels) {
    if (isRow(p)) {
      newLine();
      panels.push({
        id: ++id,
        type: 'row',
        title: p.row,
        gridPos: { h: 1, w: 24, x: 0, y },
        collapsed: false,
        panels: [],
      });
      y += 1;
      continue;
    }
    const w = p.width ?? 12;
    const h = p.height ?? 8;
    if (x + w > 24) newLine();
    panels.push(panel(p, ++id, { h, w, x, y }));
    x += w;
    rowHeight = Math.max(rowHeight, h);
  }
  return {
    uid: spec.uid,
    title: spec.title,
    description: spec.description,
    tags: spec.tags,
    editable: false,
    graphTooltip: 1,
    schemaVersion: 39,
    version: 1,
    timezone: 'utc',
    time: { from: spec.from, to: 'now' },
    refresh: spec.refresh,
    annotations: { list: [] },
    templating: { list: (spec.variables ?? []).map(variable) },
    panels,
  };
}

function panel(p: PanelSpec, id: number, gridPos: GrafanaPanel['gridPos']): GrafanaPanel {
  const custom =
    p.type === 'timeseries'
      ? {
          drawStyle: 'line',
          fillOpacity: p.stacked ? 40 : 10,
          lineWidth: 1,
          showPoints: 'never',
          spanNulls: false,
          stacking: { mode: p.stacked ? 'normal' : 'none', group: 'A' },
        }
      : {};
  return {
    id,
    type: p.type,
    title: p.title,
    description: p.description,
    gridPos,
    datasource: p.targets[0]!.datasource,
    targets: p.targets.map((t, i) => ({ ...t, refId: String.fromCharCode(65 + i) })),
    fieldConfig: {
      defaults: { ...(p.unit ? { unit: p.unit } : {}), custom },
      overrides: [],
    },
    options: {
      ...(p.type === 'timeseries'
        ? {
            legend: { displayMode: 'list', placement: 'bottom', showLegend: true },
            tooltip: { mode: 'multi', sort: 'desc' },
          }
        : {}),
      ...(p.type === 'stat' ? { reduceOptions: { calcs: ['lastNotNull'] } } : {}),
      ...p.options,
    },
  };
}

function variable(v: VariableSpec): GrafanaVariable {
  const sql = dedent(v.sql);
  return {
    type: 'query',
    name: v.name,
    label: v.label,
    datasource: datasources.clickhouse,
    query: sql,
    definition: sql,
    multi: true,
    includeAll: true,
    current: { text: ['All'], value: ['$__all'] },
    refresh: 2,
    sort: 1,
    options: [],
  };
}

/** PromQL on one line with single spaces, as Grafana's editor keeps it. */
function squeeze(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** SQL without the indentation of the template literal it was written in. */
function dedent(text: string): string {
  const lines = text.replace(/^\n/, '').replace(/\s+$/, '').split('\n');
  const indent = Math.min(
    ...lines.filter((l) => l.trim()).map((l) => l.length - l.trimStart().length),
  );
  return lines.map((l) => l.slice(indent)).join('\n');
}
