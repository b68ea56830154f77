import { parseArgs } from 'node:util';
import { createRecommender, isAlgorithmName } from './cf/algorithm.registry.js';
import { AlsRecommender } from './cf/als.model.js';
import type { AlgorithmName, TrainingProgress } from './cf/recommender.port.js';
import { ALGORITHM_NAMES } from './cf/recommender.port.js';
import type { Interactions } from './data/interaction.matrix.js';
import { loadMovieLens } from './data/movielens.loader.js';
import type { SyntheticPreset } from './data/synthetic.generator.js';
import { SYNTHETIC_PRESETS, generatePreset } from './data/synthetic.generator.js';
import { evaluate } from './eval/evaluate.eval.js';
import { stratifiedSplit } from './eval/split.eval.js';

/**
 * `npm run ml:eval -- --dataset <path> [--format movielens] [--json] [--algorithms ...]
 * [--seed N]` or `--synthetic ml-100k|ml-1m`: per-user stratified 75/25 split, every rating an
 * implicit positive, top-10 excluding training items. Results go to stdout (a table, or only
 * JSON with --json); progress and errors go to stderr.
 */
const USAGE = `usage: npm run ml:eval -- (--dataset <path> [--format movielens] | --synthetic ml-100k|ml-1m)
       [--algorithms ${ALGORITHM_NAMES.join(',')}] [--seed N] [--json]`;

class UsageError extends Error {}

interface EvalArgs {
  readonly source: { kind: 'file'; path: string } | { kind: 'synthetic'; preset: SyntheticPreset };
  readonly algorithms: AlgorithmName[];
  readonly seed: number;
  readonly json: boolean;
}

export interface EvalRow {
  readonly algorithm: AlgorithmName;
  readonly ndcg10: number;
  readonly p10: number;
  readonly r10: number;
  readonly map10: number;
  readonly trainSeconds: number;
}

function parse(argv: string[]): EvalArgs {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        dataset: { type: 'string' },
        format: { type: 'string', default: 'movielens' },
        synthetic: { type: 'string' },
        algorithms: { type: 'string', default: ALGORITHM_NAMES.join(',') },
        seed: { type: 'string', default: '1' },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', default: false },
      },
    }));
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
  if (values.help) throw new UsageError('');
  if ((values.dataset === undefined) === (values.synthetic === undefined)) {
    throw new UsageError('give exactly one of --dataset <path> and --synthetic <preset>');
  }
  if (values.format !== 'movielens') {
    throw new UsageError(`unknown --format ${values.format} (supported: movielens)`);
  }
  let source: EvalArgs['source'];
  if (values.synthetic !== undefined) {
    if (!(values.synthetic in SYNTHETIC_PRESETS)) {
      throw new UsageError(
        `unknown --synthetic ${values.synthetic} (one of ${Object.keys(SYNTHETIC_PRESETS).join(', ')})`,
      );
    }
    source = { kind: 'synthetic', preset: values.synthetic as SyntheticPreset };
  } else {
    source = { kind: 'file', path: values.dataset! };
  }
  const algorithms: AlgorithmName[] = [];
  for (const name of values.algorithms.split(',').map((s) => s.trim())) {
    if (!isAlgorithmName(name)) {
      throw new UsageError(`unknown algorithm ${name} (one of ${ALGORITHM_NAMES.join(', ')})`);
    }
    if (!algorithms.includes(name)) algorithms.push(name);
  }
  const seed = Number(values.seed);
  if (!Number.isSafeInteger(seed) || seed < 0) {
    throw new UsageError(`--seed must be a non-negative integer, got ${values.seed}`);
  }
  return { source, algorithms, seed, json: values.json };
}

async function loadSource(args: EvalArgs): Promise<Interactions> {
  if (args.source.kind === 'synthetic') {
    return generatePreset(args.source.preset, { seed: args.seed }).interactions;
  }
  try {
    return await loadMovieLens(args.source.path, { weights: 'implicit' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new UsageError(`dataset not found: ${args.source.path}`);
    }
    throw err;
  }
}

function logProgress(p: TrainingProgress): void {
  const loss = p.loss === undefined ? '' : ` loss ${p.loss.toPrecision(5)}`;
  process.stderr.write(
    `[${p.algorithm}] iteration ${p.iteration}/${p.iterations} ${p.seconds.toFixed(3)} s${loss}\n`,
  );
}

async function run(args: EvalArgs): Promise<EvalRow[]> {
  const log = await loadSource(args);
  const split = stratifiedSplit(log, { trainFraction: 0.75, seed: args.seed, binary: true });
  process.stderr.write(
    `dataset: ${log.userIds.length} users, ${log.itemIds.length} items, ${log.length} ratings; ` +
      `train ${split.train.nnz}, test ${split.test.nnz}\n`,
  );
  const rows: EvalRow[] = [];
  for (const name of args.algorithms) {
    const model = createRecommender(name);
    const started = performance.now();
    await model.fit(split.train, { seed: args.seed }, logProgress);
    const trainSeconds = (performance.now() - started) / 1000;
    if (model instanceof AlsRecommender && model.fallbackReason) {
      process.stderr.write(`[als] trained in one thread: ${model.fallbackReason}\n`);
    }
    const result = evaluate(model, split, { k: 10 });
    process.stderr.write(
      `[${name}] nDCG@10 ${result.ndcg.toFixed(4)} over ${result.users} users, ` +
        `coverage ${(100 * result.coverage).toFixed(1)}%\n`,
    );
    rows.push({
      algorithm: name,
      ndcg10: result.ndcg,
      p10: result.precision,
      r10: result.recall,
      map10: result.map,
      trainSeconds,
    });
  }
  return rows;
}

function table(rows: EvalRow[]): string {
  const header = ['algorithm', 'nDCG@10', 'P@10', 'R@10', 'MAP@10', 'trainSeconds'];
  const body = rows.map((r) => [
    r.algorithm,
    r.ndcg10.toFixed(4),
    r.p10.toFixed(4),
    r.r10.toFixed(4),
    r.map10.toFixed(4),
    r.trainSeconds.toFixed(2),
  ]);
  const widths = header.map((h, c) => Math.max(h.length, ...body.map((row) => row[c]!.length)));
  const line = (cells: string[]): string =>
    cells
      .map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!)))
      .join('  ');
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n');
}

try {
  const args = parse(process.argv.slice(2));
  const rows = await run(args);
  process.stdout.write(args.json ? `${JSON.stringify(rows)}\n` : `${table(rows)}\n`);
} catch (err) {
  if (err instanceof UsageError) {
    process.stderr.write(`${err.message ? `ml:eval: ${err.message}\n` : ''}${USAGE}\n`);
    process.exitCode = 2;
  } else {
    process.stderr.write(`ml:eval: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  }
}
