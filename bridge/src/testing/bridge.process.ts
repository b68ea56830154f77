import { readFileSync } from 'node:fs';
import {
  freePort,
  startServiceProcess,
  type ServiceProcess,
  type ServiceProcessOptions,
} from '@platform/kit/testing';

export { freePort };

/** USER_HZ: the unit of CPU times in /proc, 100 on Linux. */
const clockTicks = 100;

/** SIGTERM on `stop` is the bridge's graceful drain; SIGKILL, a crash. */
export interface BridgeProcess extends ServiceProcess {
  /** Resident set size now, and the peak so far (VmHWM), in bytes, from /proc. */
  memory(): { rss: number; peak: number };
  /** CPU time the process has used so far (user + system), in seconds, from /proc. */
  cpuSeconds(): number;
  metrics(): Promise<string>;
}

/**
 * Starts the production composition root (`node --import tsx bridge/src/main.ts`) as a child
 * process, with the given environment on top of PATH and HOME, and waits until /readyz answers 200.
 */
export async function startBridgeProcess(
  env: Record<string, string>,
  options: ServiceProcessOptions = {},
): Promise<BridgeProcess> {
  const service = await startServiceProcess(
    'bridge/src/main.ts',
    { HOST: '127.0.0.1', ...env },
    { outputChars: 50_000, ...options },
  );
  const { base, pid } = service;
  return {
    ...service,
    memory: () => {
      const status = readFileSync(`/proc/${pid}/status`, 'utf8');
      const kb = (field: string) =>
        Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024;
      return { rss: kb('VmRSS'), peak: kb('VmHWM') };
    },
    cpuSeconds: () => {
      // Fields 14 and 15 of /proc/<pid>/stat, after the parenthesised command name.
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      return (Number(fields[11]) + Number(fields[12])) / clockTicks;
    },
    metrics: async () => (await fetch(`${base}/metrics`)).text(),
  };
}

/** The value of one series in Prometheus text, or 0 when it is absent. */
export function metricValue(
  exposition: string,
  name: string,
  labels: Record<string, string>,
): number {
  for (const line of exposition.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    const inside = line.slice(name.length + 1, line.lastIndexOf('}'));
    if (Object.entries(labels).every(([k, v]) => inside.includes(`${k}="${v}"`)))
      return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return 0;
}
