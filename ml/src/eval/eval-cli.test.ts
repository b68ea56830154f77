import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatMovieLens } from '../data/movielens.loader.js';
import { generateSynthetic } from '../data/synthetic.generator.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const cli = fileURLToPath(new URL('../eval.main.ts', import.meta.url));

function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', cli, ...args], { cwd: root });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('ml:eval CLI', () => {
  let dir = '';
  let dataset = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ml-eval-'));
    dataset = join(dir, 'tiny.data');
    const { interactions } = generateSynthetic({
      users: 60,
      items: 50,
      interactions: 900,
      clusters: 3,
      seed: 2,
    });
    await writeFile(dataset, formatMovieLens(interactions));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('prints only a JSON array of per-algorithm metrics on stdout with --json', async () => {
    const { code, stdout, stderr } = await run([
      '--dataset',
      dataset,
      '--format',
      'movielens',
      '--json',
      '--algorithms',
      'als,ease,bpr,popularity',
      '--seed',
      '3',
    ]);
    expect(code).toBe(0);
    const rows = JSON.parse(stdout) as Record<string, unknown>[];
    expect(rows.map((r) => r.algorithm)).toEqual(['als', 'ease', 'bpr', 'popularity']);
    for (const row of rows) {
      expect(Object.keys(row).sort()).toEqual(
        ['algorithm', 'map10', 'ndcg10', 'p10', 'r10', 'trainSeconds'].sort(),
      );
      for (const key of ['ndcg10', 'p10', 'r10', 'map10']) {
        expect(row[key]).toBeGreaterThanOrEqual(0);
        expect(row[key]).toBeLessThanOrEqual(1);
      }
      expect(row.trainSeconds).toBeGreaterThanOrEqual(0);
    }
    expect(stderr).toMatch(/\[als\] iteration 1\/15/);
  });

  it('rejects bad arguments with a message and exit code 2', async () => {
    const unknown = await run(['--dataset', dataset, '--algorithms', 'als,svd']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown algorithm svd/);
    const none = await run(['--json']);
    expect(none.code).toBe(2);
    expect(none.stdout).toBe('');
    const missing = await run(['--dataset', join(dir, 'nope.data')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/not found/);
  });
});
