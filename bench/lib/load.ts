import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { percentile, round } from './report.js';

export interface Sample {
  latencyMs: number;
  status: number;
  doneAt: number;
}

export interface Window {
  samples: Sample[];
  durationS: number;
  /** CPU seconds the watched server process used during the window (see `openLoop`'s `pid`). */
  serverCpuS?: number;
  /** The part of it on the process's main thread, where its event loop runs. */
  serverMainThreadCpuS?: number;
  /** Seconds the main thread was ready to run but waited for a core (the run queue). */
  serverMainThreadWaitS?: number;
  /** How late the load generator's own event loop ran (ms, p99 and max over the window): a
   * stall of the generator delays sends and receipts alike and shows as server latency. */
  generatorDelayP99Ms: number;
  generatorDelayMaxMs: number;
}

/** The load generator's event-loop delay is sampled every millisecond; that interval itself is
 * not delay. */
const DELAY_RESOLUTION_MS = 1;

/**
 * CPU seconds (user + system) a process has used so far, from /proc (Linux); with `thread`, one
 * of its threads only (the main thread's id is the process id).
 */
export function processCpuSeconds(pid: number, thread?: number): number {
  // /proc/<pid>/stat: fields 14 and 15 (utime, stime) in clock ticks, counted after the
  // parenthesised command name, which may itself contain spaces.
  const stat = readFileSync(
    thread === undefined ? `/proc/${pid}/stat` : `/proc/${pid}/task/${thread}/stat`,
    'utf8',
  );
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_S;
}

/**
 * Seconds a thread has spent ready to run but waiting for a core, from its schedstat (Linux,
 * nanoseconds in the second field). Latency on a machine whose cores are shared shows up here
 * first: a thread that waits for a core answers late however little it has to do.
 */
export function threadRunQueueWaitSeconds(pid: number, thread: number): number {
  const schedstat = readFileSync(`/proc/${pid}/task/${thread}/schedstat`, 'utf8');
  return Number(schedstat.split(' ')[1]) / 1e9;
}

/** USER_HZ: 100 on every Linux architecture Node runs on. */
const CLOCK_TICKS_PER_S = 100;

/** A process's peak resident set so far (VmHWM, from /proc/<pid>/status), in MiB. */
export function processPeakRssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/^VmHWM:\s+(\d+) kB/m.exec(status)?.[1] ?? NaN) / 1024;
}

/**
 * Open-loop load: sends `rate` requests/s for `seconds` whatever the answers, and measures
 * latency from each request's scheduled send time, so a stall of the server is not hidden
 * (no coordinated omission). `first` numbers the requests across windows. With `pid`, the CPU
 * time that process spent over the window is recorded too: CPU per request is a figure that
 * other load on the machine barely moves, unlike latency.
 */
export async function openLoop(
  rate: number,
  seconds: number,
  first: number,
  send: (i: number) => Promise<number>,
  pid?: number,
): Promise<Window> {
  const total = rate * seconds;
  const cpuBefore = pid === undefined ? 0 : processCpuSeconds(pid);
  const mainBefore = pid === undefined ? 0 : processCpuSeconds(pid, pid);
  const waitBefore = pid === undefined ? 0 : threadRunQueueWaitSeconds(pid, pid);
  const delay = monitorEventLoopDelay({ resolution: DELAY_RESOLUTION_MS });
  delay.enable();
  const startedAt = performance.now();
  const pending: Promise<Sample>[] = [];
  const request = async (i: number, scheduledAt: number): Promise<Sample> => {
    let status = 0;
    try {
      status = await send(first + i);
    } catch {
      status = 0;
    }
    const doneAt = performance.now();
    return { latencyMs: doneAt - scheduledAt, status, doneAt };
  };
  for (let i = 0; i < total;) {
    const due = Math.floor(((performance.now() - startedAt) * rate) / 1000);
    while (i < total && i <= due) {
      pending.push(request(i, startedAt + (i * 1000) / rate));
      i++;
    }
    await new Promise((r) => setTimeout(r, 1));
  }
  const samples = await Promise.all(pending);
  delay.disable();
  const lateMs = (ns: number) => Math.max(0, ns / 1e6 - DELAY_RESOLUTION_MS);
  return {
    samples,
    generatorDelayP99Ms: lateMs(delay.percentile(99)),
    generatorDelayMaxMs: lateMs(delay.max),
    durationS: (Math.max(...samples.map((s) => s.doneAt)) - startedAt) / 1000,
    ...(pid === undefined
      ? {}
      : {
          serverCpuS: processCpuSeconds(pid) - cpuBefore,
          serverMainThreadCpuS: processCpuSeconds(pid, pid) - mainBefore,
          serverMainThreadWaitS: threadRunQueueWaitSeconds(pid, pid) - waitBefore,
        }),
  };
}

/** A window's latencies, fastest first. */
const sortedLatencies = (w: Window): number[] =>
  w.samples.map((s) => s.latencyMs).sort((a, b) => a - b);

/** One window's latency in a line, for progress output. */
export function windowLine(w: Window): string {
  const latencies = sortedLatencies(w);
  return `p50 ${round(percentile(latencies, 50), 1)} / p99 ${round(percentile(latencies, 99), 1)} / max ${round(latencies.at(-1) ?? 0, 1)} ms`;
}

/** Latency percentiles, throughput and errors over windows. */
export function summarise(windows: Window[]) {
  const samples = windows.flatMap((w) => w.samples);
  const latencies = samples.map((s) => s.latencyMs).sort((a, b) => a - b);
  const durationS = windows.reduce((sum, w) => sum + w.durationS, 0);
  return {
    requests: samples.length,
    requestsPerS: round(samples.length / durationS, 0),
    p50Ms: round(percentile(latencies, 50), 2),
    p99Ms: round(percentile(latencies, 99), 2),
    maxMs: round(latencies.at(-1)!, 2),
    /** Each window's p99 in order: a steady tail and isolated stalls look alike in the total. */
    windowP99Ms: windows.map((w) => round(percentile(sortedLatencies(w), 99), 1)),
    errors: samples.filter((s) => s.status !== 200).length,
    /** The worst window's delays of the load generator's own event loop (see Window). */
    generatorDelayP99Ms: round(Math.max(...windows.map((w) => w.generatorDelayP99Ms)), 1),
    generatorDelayMaxMs: round(Math.max(...windows.map((w) => w.generatorDelayMaxMs)), 1),
    ...(windows.every((w) => w.serverCpuS !== undefined)
      ? {
          serverCpuMsPerRequest: round(
            (windows.reduce((sum, w) => sum + w.serverCpuS!, 0) * 1000) / samples.length,
            3,
          ),
          serverMainThreadCpuMsPerRequest: round(
            (windows.reduce((sum, w) => sum + w.serverMainThreadCpuS!, 0) * 1000) / samples.length,
            3,
          ),
          /** Milliseconds per second the event loop was ready but waited for a core. */
          serverMainThreadWaitMsPerS: round(
            (windows.reduce((sum, w) => sum + w.serverMainThreadWaitS!, 0) * 1000) / durationS,
            1,
          ),
        }
      : {}),
  };
}

/**
 * Before measuring: flush what setting up wrote. Seeding writes hundreds of MB to PostgreSQL (and
 * Elasticsearch or Kafka); the kernel writes dirty pages back about 30 s later, in bursts of
 * 100-200 MB that stalled every process on the machine mid-measurement (seen in `vmstat`
 * against the windows with a stall). A checkpoint writes PostgreSQL's pages now, `sync` the rest.
 */
export async function settleWrites(sql: { query: (text: string) => Promise<unknown> }) {
  await sql.query('CHECKPOINT');
  execFileSync('sync');
}
