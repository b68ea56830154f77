import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from './testing/processes.js';
import { DEMO_ACCOUNTS } from './seed/demo-data.js';

/** What a newcomer gets from `npm start`: the platform on one port, demo data, a demo login. */
const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const dataDir = mkdtempSync(path.join(tmpdir(), 'platform-embedded-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

async function boot(port: number) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'core-api/src/embedded.ts'], {
    cwd: repoRoot,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      DATA_DIR: dataDir,
      PORT: String(port),
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const started = Date.now();
  await expect
    .poll(
      async () => {
        if (child.exitCode !== null) throw new Error(`embedded mode exited:\n${output}`);
        return (await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => undefined))?.status;
      },
      { timeout: 90_000, interval: 250 },
    )
    .toBe(200);
  return { child, exited, output: () => output, bootMs: Date.now() - started };
}

describe('embedded mode (npm start)', () => {
  it('boots on PGlite, seeds demo data once, prints the URL and a demo login that works, and keeps data across restarts', async () => {
    const port = await freePort();
    const first = await boot(port);
    expect(first.output()).toContain(`running at http://localhost:${port}`);
    expect(first.output()).toContain(
      `${DEMO_ACCOUNTS.user.email} / ${DEMO_ACCOUNTS.user.password}`,
    );
    const base = `http://127.0.0.1:${port}`;
    const events = (await (await fetch(`${base}/v1/events?limit=100`)).json()) as {
      items: unknown[];
    };
    expect(events.items.length).toBe(100);
    // The in-process search index was built from the seeded events, typos and prefixes included.
    const search = (await (await fetch(`${base}/v1/search?q=jaz`)).json()) as {
      hits: { title: string }[];
    };
    expect(search.hits.length).toBeGreaterThan(0);
    const suggest = (await (await fetch(`${base}/v1/search/suggest?q=meetp`)).json()) as {
      suggestions: { title: string }[];
    };
    expect(suggest.suggestions.some((s) => /meetup/i.test(s.title))).toBe(true);
    const login = await fetch(`${base}/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        email: DEMO_ACCOUNTS.admin.email,
        password: DEMO_ACCOUNTS.admin.password,
      }),
    });
    expect(login.status).toBe(200);
    expect(((await login.json()) as { user: { role: string } }).user.role).toBe('admin');
    // The first model trains in the process at first boot and is swapped in through the
    // in-memory Kafka -> bridge -> NATS path: the demo account gets personalised picks.
    const demo = await fetch(`${base}/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        email: DEMO_ACCOUNTS.user.email,
        password: DEMO_ACCOUNTS.user.password,
      }),
    });
    const { accessToken } = (await demo.json()) as { accessToken: string };
    await expect
      .poll(
        async () => {
          const res = await fetch(`${base}/v1/recommendations?limit=5`, {
            headers: { authorization: `Bearer ${accessToken}` },
          });
          const body = (await res.json()) as {
            strategy: string;
            modelVersion: number | null;
            items: { reasons: unknown[] }[];
          };
          return (
            body.strategy === 'personalised' &&
            body.modelVersion !== null &&
            body.items.length === 5
          );
        },
        { timeout: 120_000, interval: 1_000 },
      )
      .toBe(true);
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);

    // Second boot: same data directory, no second seed, same sessions key.
    const second = await boot(port);
    const again = await fetch(`${base}/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        email: DEMO_ACCOUNTS.user.email,
        password: DEMO_ACCOUNTS.user.password,
      }),
    });
    expect(again.status).toBe(200);
    expect(second.bootMs).toBeLessThan(first.bootMs);
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
  }, 180_000);
});
