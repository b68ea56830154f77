import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { dashboardJson, dashboardPath, dashboards } from '../grafana/src/dashboards.js';
import {
  dashboardsDir,
  panelQueries,
  provisioningDir,
  readDashboardFiles,
  variableQueries,
} from './dashboard-files.js';

/**
 * What Grafana needs from the provisioned files, checked without Grafana: the JSON is what the
 * TypeScript builds, dashboards have stable unique uids, panels unique ids and a grid position,
 * every datasource reference names a provisioned datasource of the right type, every variable a
 * query uses exists, and the datasource YAML reads only what docker compose gives Grafana.
 */
const files = readDashboardFiles();
const yamlFile = (relative: string) =>
  parse(readFileSync(path.join(provisioningDir, relative), 'utf8')) as Record<string, unknown>;
const provisionedDatasources = (
  yamlFile('datasources/datasources.yaml') as {
    datasources: { name: string; uid: string; type: string; [k: string]: unknown }[];
  }
).datasources;
const compose = parse(
  readFileSync(new URL('../../docker-compose.yml', import.meta.url), 'utf8'),
) as {
  services: Record<string, { environment?: Record<string, string>; volumes?: string[] }>;
};
const grafana = compose.services.grafana!;

describe('Grafana dashboards', () => {
  it('are the JSON the TypeScript builds (npm run monitoring:dashboards), with nothing else in the folder', () => {
    expect(files.map((f) => f.file)).toEqual(
      dashboards.map((d) => dashboardPath(d.folder, d.dashboard.uid)).sort(),
    );
    for (const { folder, dashboard } of dashboards) {
      const onDisk = readFileSync(
        path.join(dashboardsDir, dashboardPath(folder, dashboard.uid)),
        'utf8',
      );
      expect(onDisk, `${dashboard.uid} is out of date: npm run monitoring:dashboards`).toBe(
        dashboardJson(dashboard),
      );
    }
  });

  it('sit in the Business, Operations and ML folders under stable, unique uids', () => {
    expect(files.map((f) => [path.dirname(f.file), f.dashboard.uid])).toEqual([
      ['Business', 'platform-business'],
      ['ML', 'platform-ml'],
      ['Operations', 'platform-operations'],
    ]);
    for (const { dashboard } of files) {
      expect(dashboard.uid).toMatch(/^[a-zA-Z0-9_-]{1,40}$/);
      expect(dashboard.title).not.toBe('');
      expect(dashboard.schemaVersion).toBeGreaterThanOrEqual(36);
      expect(dashboard.panels.length).toBeGreaterThan(0);
    }
    expect(new Set(files.map((f) => f.dashboard.title)).size).toBe(files.length);
  });

  it('give every panel a unique id and a place on the 24-column grid without overlaps', () => {
    for (const { dashboard } of files) {
      const ids = dashboard.panels.map((p) => p.id);
      expect(new Set(ids).size, dashboard.uid).toBe(ids.length);
      const cells = new Set<string>();
      for (const p of dashboard.panels) {
        const { x, y, w, h } = p.gridPos;
        expect(x >= 0 && w >= 1 && x + w <= 24 && h >= 1, `${dashboard.uid}/${p.title}`).toBe(true);
        for (let i = x; i < x + w; i++)
          for (let j = y; j < y + h; j++) {
            const cell = `${i},${j}`;
            expect(cells.has(cell), `${dashboard.uid}/${p.title} overlaps at ${cell}`).toBe(false);
            cells.add(cell);
          }
      }
    }
  });

  it('reference only provisioned datasources, with matching types, and unique refIds per panel', () => {
    const byUid = new Map(provisionedDatasources.map((d) => [d.uid, d.type]));
    for (const { dashboard } of files) {
      for (const panel of dashboard.panels.filter((p) => p.type !== 'row')) {
        const where = `${dashboard.uid}/${panel.title}`;
        expect(panel.targets?.length, where).toBeGreaterThan(0);
        expect(byUid.get(panel.datasource!.uid), where).toBe(panel.datasource!.type);
        for (const t of panel.targets!)
          expect(byUid.get(t.datasource.uid), where).toBe(t.datasource.type);
        const refIds = panel.targets!.map((t) => t.refId);
        expect(new Set(refIds).size, where).toBe(refIds.length);
      }
      for (const v of dashboard.templating.list)
        expect(byUid.get(v.datasource.uid), `${dashboard.uid}/$${v.name}`).toBe(v.datasource.type);
    }
  });

  it('use only template variables the dashboard defines', () => {
    for (const { dashboard } of files) {
      const defined = new Set(dashboard.templating.list.map((v) => v.name));
      for (const q of panelQueries([{ file: '', dashboard }])) {
        const used = [...q.query.matchAll(/\$\{(\w+)|\$(\w+)/g)]
          .map((m) => m[1] ?? m[2]!)
          .filter((name) => !name.startsWith('__'));
        for (const name of used)
          expect(defined.has(name), `${q.dashboard}/${q.panel}: $${name}`).toBe(true);
      }
    }
  });

  it('have queries on every datasource: ClickHouse, PostgreSQL and Prometheus', () => {
    const queries = panelQueries(files);
    expect(new Set(queries.map((q) => q.datasource))).toEqual(
      new Set(['clickhouse', 'postgres', 'prometheus']),
    );
    expect(variableQueries(files).map((v) => `${v.dashboard}/${v.name}`)).toEqual([
      'platform-business/city',
      'platform-business/category',
    ]);
    // A ClickHouse or PostgreSQL time series needs its time column.
    for (const q of queries.filter((q) => q.datasource !== 'prometheus' && q.timeSeries))
      expect(q.query, `${q.dashboard}/${q.panel}`).toMatch(/AS "?time"?\b/);
  });
});

describe('Grafana provisioning', () => {
  it('provisions Prometheus, ClickHouse (official plugin) and PostgreSQL under the uids the dashboards use', () => {
    expect(provisionedDatasources.map((d) => [d.uid, d.type])).toEqual([
      ['prometheus', 'prometheus'],
      ['clickhouse', 'grafana-clickhouse-datasource'],
      ['postgres', 'grafana-postgresql-datasource'],
    ]);
    for (const d of provisionedDatasources) expect(d.name).not.toBe('');
    expect(grafana.environment?.GF_INSTALL_PLUGINS).toContain('grafana-clickhouse-datasource');
  });

  it('reads credentials only from variables docker compose gives Grafana', () => {
    const text = readFileSync(path.join(provisioningDir, 'datasources/datasources.yaml'), 'utf8');
    const used = [...text.matchAll(/\$\{?(\w+)\}?/g)].map((m) => m[1]!);
    expect(used).toEqual(expect.arrayContaining(['CLICKHOUSE_PASSWORD', 'POSTGRES_PASSWORD']));
    for (const name of used) expect(Object.keys(grafana.environment ?? {})).toContain(name);
    expect(text).not.toMatch(/password:\s*[^$\s]/);
  });

  it('loads the dashboards folder that docker compose mounts, with folders from the directories', () => {
    const providers = (
      yamlFile('dashboards/dashboards.yaml') as {
        providers: {
          type: string;
          options: { path: string; foldersFromFilesStructure: boolean };
        }[];
      }
    ).providers;
    expect(providers).toHaveLength(1);
    expect(providers[0]!.options.foldersFromFilesStructure).toBe(true);
    expect(grafana.volumes).toEqual(
      expect.arrayContaining([
        './monitoring/grafana/provisioning:/etc/grafana/provisioning:ro',
        `./monitoring/grafana/dashboards:${providers[0]!.options.path}:ro`,
      ]),
    );
  });
});
