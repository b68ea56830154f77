import { readFileSync } from 'node:fs';
import { analyticsConfigSchema } from '@platform/analytics';
import { bridgeConfigSchema } from '@platform/bridge';
import { coreApiConfigSchema, migrateConfigSchema } from '@platform/core-api';
import { mlConfigSchema } from '@platform/ml';
import { searchConfigSchema } from '@platform/search';
import { parseConfig } from '@platform/kit';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';

type ComposeService = {
  environment?: Record<string, string | number>;
  command?: string[];
  build?: { target?: string; args?: Record<string, string> };
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: unknown;
};
const compose = parse(readFileSync(new URL('../../docker-compose.yml', import.meta.url), 'utf8'), {
  merge: true,
}) as { services: Record<string, ComposeService> };
const packageJson = JSON.parse(
  readFileSync(new URL('../../package.json', import.meta.url), 'utf8'),
) as {
  scripts: Record<string, string>;
};

const schemas: Record<string, z.ZodObject> = {
  'core-api': coreApiConfigSchema,
  bridge: bridgeConfigSchema,
  analytics: analyticsConfigSchema,
  search: searchConfigSchema,
  ml: mlConfigSchema,
  migrate: migrateConfigSchema,
};

/** Resolves compose interpolation the way `docker compose` would with a typical .env. */
function interpolate(value: string): string {
  return value.replace(
    /\$\{(\w+)(?::?([-?])([^}]*))?\}/g,
    (_m, name: string, op?: string, arg?: string) => {
      if (name === 'JWT_SECRET') return 'x'.repeat(64);
      if (op === '-') return arg ?? '';
      return `set-${name.toLowerCase()}`;
    },
  );
}

describe('docker-compose.yml', () => {
  for (const [service, schema] of Object.entries(schemas)) {
    describe(service, () => {
      const definition = compose.services[service];
      const environment = Object.fromEntries(
        Object.entries(definition?.environment ?? {}).map(([k, v]) => [k, interpolate(String(v))]),
      );

      it('exists', () => {
        expect(definition).toBeDefined();
      });

      it('sets only variables its config schema knows', () => {
        const known = new Set(Object.keys(schema.shape));
        expect(Object.keys(environment).filter((k) => !known.has(k))).toEqual([]);
      });

      it('passes its config schema with the compose environment', () => {
        expect(() => parseConfig(schema, environment)).not.toThrow();
      });

      it('points at the compose servers rather than the localhost defaults', () => {
        for (const value of Object.values(environment))
          expect(value).not.toMatch(/127\.0\.0\.1|localhost/);
      });
    });
  }

  it('runs each Node service with the same npm script developers use', () => {
    for (const service of ['core-api', 'bridge', 'analytics', 'search', 'ml']) {
      const def = compose.services[service]!;
      expect(def.build?.target).toBe('service');
      expect(def.build?.args?.SERVICE).toBe(service);
      // Node flags may come first (core-api's young generation); the entry is the service's own.
      expect(packageJson.scripts[`start:${service}`]).toMatch(
        new RegExp(`^node (--[\\w=-]+ )*--import tsx ${service}/src/main\\.ts$`),
      );
    }
  });

  it('gives every long-running service a health check and waits on healthy dependencies', () => {
    for (const [name, def] of Object.entries(compose.services)) {
      if (name === 'migrate') continue;
      expect(def.healthcheck, name).toBeDefined();
      for (const [dep, { condition }] of Object.entries(def.depends_on ?? {})) {
        expect(condition, `${name} -> ${dep}`).toBe(
          dep === 'migrate' ? 'service_completed_successfully' : 'service_healthy',
        );
      }
    }
  });

  it('runs the servers the issue lists, on the same majors as services:up', () => {
    const images = Object.values(compose.services as Record<string, { image?: string }>)
      .map((s) => s.image)
      .filter(Boolean)
      .join(' ');
    for (const image of [
      'postgres:15',
      'redis:7',
      'nats:2',
      'apache/kafka:3.9',
      'clickhouse/clickhouse-server:',
      'elasticsearch:8.',
      'prom/prometheus:v2',
      'grafana/grafana:',
    ])
      expect(images).toContain(image);
  });
});
