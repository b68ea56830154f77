import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

export interface RunningApp {
  base: string;
  stop: () => Promise<void>;
}

/** A port the kernel says is free now (ephemeral range, so never the 8080-8084 of other suites). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address
          ? resolve(address.port)
          : reject(new Error('no port')),
      );
    });
  });
}

/**
 * `npm start` (whose prestart builds the web app) on a fresh DATA_DIR, in its own process group so
 * stopping it stops npm, the shell and node together. Resolves once /readyz answers 200.
 */
export async function startApp(options: {
  repoRoot: string;
  logFile: string;
  timeoutMs: number;
}): Promise<RunningApp> {
  const port = await freePort();
  const dataDir = await mkdtemp(path.join(tmpdir(), 'web-e2e-'));
  const log = createWriteStream(options.logFile);
  const child: ChildProcess = spawn('npm', ['start'], {
    cwd: options.repoRoot,
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      LOG_LEVEL: 'warn',
    },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.pipe(log);
  child.stderr!.pipe(log);
  let exited: string | undefined;
  const exit = new Promise<void>((resolve) =>
    child.once('exit', (code, signal) => {
      exited = `exited with ${signal ?? code}`;
      resolve();
    }),
  );
  const base = `http://127.0.0.1:${port}`;

  const stop = async () => {
    if (!exited && child.pid) {
      process.kill(-child.pid, 'SIGTERM');
      const killer = setTimeout(
        () => !exited && child.pid && process.kill(-child.pid, 'SIGKILL'),
        15_000,
      );
      await exit;
      clearTimeout(killer);
    }
    log.end();
    await rm(dataDir, { recursive: true, force: true });
  };

  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    if (exited) {
      await stop();
      throw new Error(`npm start ${exited} before it was ready; see ${options.logFile}`);
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(
        `npm start was not ready within ${options.timeoutMs} ms; see ${options.logFile}`,
      );
    }
    const ready = await fetch(`${base}/readyz`, { signal: AbortSignal.timeout(2_000) })
      .then((r) => r.ok)
      .catch(() => false);
    if (ready) return { base, stop };
    await new Promise((r) => setTimeout(r, 250));
  }
}
