import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { localDefaults } from '@platform/kit';
import { createPgDatabase } from '@platform/kit/sql';
import { expect, it } from 'vitest';
import { migrations } from './migrations/index.js';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

it('npm run migrate applies every migration to an empty PostgreSQL database, and is a no-op the second time', async () => {
  const adminUrl = process.env.DATABASE_URL ?? localDefaults.databaseUrl;
  const name = `migrate_${randomBytes(4).toString('hex')}`;
  const admin = createPgDatabase({ url: adminUrl, maxConnections: 1 });
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  try {
    const run = () =>
      spawnSync('npm', ['run', '--silent', 'migrate'], {
        cwd: repoRoot,
        encoding: 'utf8',
        env: { PATH: process.env.PATH, HOME: process.env.HOME, DATABASE_URL: url.toString() },
      });
    const first = run();
    expect(first.status, first.stderr).toBe(0);
    const db = createPgDatabase({ url: url.toString(), maxConnections: 1 });
    const { rows } = await db.query<{ name: string }>(
      'SELECT name FROM kysely_migration ORDER BY name',
    );
    expect(rows.map((r) => r.name)).toEqual(Object.keys(migrations));
    await db.close();
    const second = run();
    expect(second.status).toBe(0);
    expect(second.stdout).toContain('schema up to date');
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.close();
  }
});
