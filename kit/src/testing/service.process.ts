import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

/** A free TCP port on 127.0.0.1, from the kernel. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export interface ServiceProcess {
  base: string;
  port: number;
  child: ChildProcess;
  pid: number;
  /** The last lines the process wrote to stdout and stderr. */
  output(): string;
  /** Sends the signal (SIGTERM: graceful; SIGKILL: a crash) and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/**
 * The Node flags the root package.json's script gives `entry` (`node <flags> --import tsx
 * <entry>`, as `npm run start:core-api` runs core-api), so tests and benchmarks run a service
 * with the flags production runs it with. Throws when no script runs `entry`.
 */
export function scriptNodeArgs(entry: string): string[] {
  const { scripts } = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as {
    scripts: Record<string, string>;
  };
  for (const command of Object.values(scripts)) {
    const words = command.trim().split(/\s+/);
    if (words[0] === 'node' && words.at(-1) === entry && words.at(-3) === '--import')
      return words.slice(1, -3);
  }
  throw new Error(`no script in package.json runs node --import tsx ${entry}`);
}

export interface ServiceProcessOptions {
  timeoutMs?: number;
  /** Node flags after those of the entry's script (scriptNodeArgs). */
  nodeArgs?: string[];
  /** Kept of the process's output, for error messages. */
  outputChars?: number;
}

/**
 * Starts a composition root (`node <flags> --import tsx <entry>`, as `npm run start:<service>`
 * does, with the script's flags) as a child process from the repository root, with `env` on top
 * of PATH and HOME and the port from `env.PORT` or a free one, and waits until its /readyz
 * answers 200.
 */
export async function startServiceProcess(
  entry: string,
  env: Record<string, string>,
  options: ServiceProcessOptions = {},
): Promise<ServiceProcess> {
  const timeoutMs = options.timeoutMs ?? 60_000;
  const keepChars = options.outputChars ?? 20_000;
  const port = Number(env.PORT ?? (await freePort()));
  const nodeArgs = [...scriptNodeArgs(entry), ...(options.nodeArgs ?? [])];
  const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', entry], {
    cwd: repoRoot,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      LOG_LEVEL: 'warn',
      ...env,
      PORT: String(port),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (d: Buffer) => (output = (output + d.toString()).slice(-keepChars));
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  );
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null)
      throw new Error(`${entry} exited with ${child.exitCode}:\n${output}`);
    const ok = await fetch(`${base}/readyz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${entry} not ready within ${timeoutMs} ms:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    base,
    port,
    child,
    pid: child.pid!,
    output: () => output,
    stop: async (signal = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}
