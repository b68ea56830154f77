import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';

/**
 * Each service starts in production mode with `npm run start:<service>` and no configuration,
 * its defaults pointing at the servers `npm run services:up` started, becomes ready, and exits 0
 * on SIGTERM.
 */
const services = [
  { name: 'core-api', port: 8080 },
  { name: 'bridge', port: 8081 },
  { name: 'analytics', port: 8082 },
  { name: 'search', port: 8083 },
  { name: 'ml', port: 8084 },
];
const children: ChildProcess[] = [];
afterAll(() => children.forEach((c) => c.exitCode === null && c.kill('SIGKILL')));

describe.each(services)('npm run start:$name', ({ name, port }) => {
  it('becomes ready on its default port and shuts down cleanly on SIGTERM', async () => {
    const child = spawn('node', ['--import', 'tsx', `${name}/src/main.ts`], {
      env: { PATH: process.env.PATH, HOME: process.env.HOME, LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    let output = '';
    child.stdout!.on('data', (d) => (output += d));
    child.stderr!.on('data', (d) => (output += d));
    const exited = new Promise<number | null>((resolve) =>
      child.once('exit', (code) => resolve(code)),
    );

    await expect
      .poll(
        async () => {
          if (child.exitCode !== null) throw new Error(`${name} exited early:\n${output}`);
          const res = await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => undefined);
          return res?.status;
        },
        { timeout: 45_000, interval: 250 },
      )
      .toBe(200);
    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    expect(metrics).toContain(`service="${name}"`);

    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});
