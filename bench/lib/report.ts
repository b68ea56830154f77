import { execSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';

const benchDir = fileURLToPath(new URL('..', import.meta.url)).replace(/\/$/, '');

export interface Machine {
  cpu: string;
  cores: number;
  memoryGiB: number;
  os: string;
  node: string;
  date: string;
}

export function machine(): Machine {
  let osName = `${os.type()} ${os.release()}`;
  try {
    osName = execSync('. /etc/os-release && echo "$PRETTY_NAME"', {
      encoding: 'utf8',
      shell: '/bin/sh',
    }).trim();
  } catch {
    // keep the kernel name
  }
  return {
    cpu: os.cpus()[0]?.model.trim() ?? 'unknown',
    cores: os.cpus().length,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    os: osName,
    node: process.version,
    date: new Date().toISOString(),
  };
}

export const describeMachine = (m: Machine) =>
  `${m.cores} cores (${m.cpu}), ${m.memoryGiB} GiB, ${m.os}, Node ${m.node}`;

/** Writes bench/results/<name>.json. */
export function writeResult(name: string, result: unknown): string {
  mkdirSync(`${benchDir}/results`, { recursive: true });
  const file = `${benchDir}/results/${name}.json`;
  writeFileSync(file, JSON.stringify(result, null, 2) + '\n');
  return file;
}

/** Replaces the block between `<!-- bench:<name>:start -->` and `<!-- bench:<name>:end -->`. */
export function updateReadme(name: string, markdown: string): void {
  const file = `${benchDir}/README.md`;
  const readme = readFileSync(file, 'utf8');
  const start = `<!-- bench:${name}:start -->`;
  const end = `<!-- bench:${name}:end -->`;
  const block = `${start}\n${markdown.trim()}\n${end}`;
  const i = readme.indexOf(start);
  const j = readme.indexOf(end);
  const next =
    i >= 0 && j > i
      ? readme.slice(0, i) + block + readme.slice(j + end.length)
      : `${readme.trimEnd()}\n\n${block}\n`;
  writeFileSync(file, next);
}

/** Percentile of an ascending-sorted array (nearest rank). */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

export const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;

export function progress(message: string): void {
  process.stderr.write(`[${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}
