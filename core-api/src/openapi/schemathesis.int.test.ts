import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase } from '../testing/harness.js';
import { startApiProcess, type ApiProcess } from '../testing/processes.js';

/**
 * Property-based fuzzing of the live API from its own OpenAPI document (schemathesis, from PyPI).
 * Every check runs except two that judge semantics rather than conformance:
 * - positive_data_acceptance: rules JSON Schema cannot state (endsAt after startsAt, opaque
 *   cursors, a reused Idempotency-Key) rightly reject some schema-valid requests;
 * - ensure_resource_availability: DELETE /registrations/me of an event one is not registered
 *   for is a correct 404, not a lost resource.
 */
const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

describe('schemathesis against /openapi.json of a live core-api on PostgreSQL', () => {
  let database: Awaited<ReturnType<typeof freshDatabase>>;
  let api: ApiProcess;
  let token: string;
  let schemathesis: string;

  beforeAll(async () => {
    const tool = spawnSync('bash', ['infra/local/tools.sh', 'schemathesis'], {
      cwd: repoRoot,
      encoding: 'utf8',
    });
    if (tool.status !== 0) throw new Error(`could not install schemathesis:\n${tool.stderr}`);
    schemathesis = tool.stdout.trim();
    database = await freshDatabase('postgres');
    api = await startApiProcess({
      DATABASE_URL: database.url!,
      JWT_SECRET: randomBytes(32).toString('hex'),
      RATE_LIMIT: 'off',
    });
    const res = await fetch(`${api.base}/v1/auth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        email: 'fuzzer@example.com',
        password: 'a long fuzzing password',
        name: 'Fuzzer',
      }),
    });
    token = ((await res.json()) as { accessToken: string }).accessToken;
  }, 180_000);

  afterAll(async () => {
    await api?.stop();
    await database?.drop();
  });

  it('finds no server error and no response that breaks the documented schema, status codes or headers', async () => {
    const args = [
      '--config-file',
      fileURLToPath(new URL('./schemathesis.toml', import.meta.url)),
      'run',
      `${api.base}/openapi.json`,
      '--header',
      `Authorization: Bearer ${token}`,
      '--checks',
      'all',
      '--exclude-checks',
      'positive_data_acceptance,ensure_resource_availability',
      '--max-examples',
      '40',
      '--seed',
      '20261121',
      '--no-color',
    ];
    const child = spawn(schemathesis, args, { cwd: repoRoot });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    if (code !== 0) console.error(output);
    expect(output).toMatch(/Test cases:\s+\d+ generated/);
    expect(code).toBe(0);
  }, 600_000);
});
