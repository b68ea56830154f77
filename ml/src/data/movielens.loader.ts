import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Interactions } from './interaction.matrix.js';
import { InteractionsBuilder } from './interaction.matrix.js';

/**
 * MovieLens rating files: `user item rating timestamp` per line, separated by a tab (ml-100k
 * `u.data`), `::` (ml-1m / ml-10m `ratings.dat`) or a comma (ml-latest `ratings.csv`).
 */
export class MovieLensFormatError extends Error {
  readonly code = 'MovieLensFormat';
  constructor(
    readonly path: string,
    readonly line: number,
    detail: string,
  ) {
    super(`${path}:${line}: ${detail}`);
    this.name = 'MovieLensFormatError';
  }
}

export interface MovieLensOptions {
  /** `rating` keeps the rating as the weight; `implicit` makes every rating a positive of 1. */
  readonly weights?: 'rating' | 'implicit';
}

const SEPARATOR = /::|\t|,/;

/** Streams the file line by line, so a 25M-line file never sits in memory as one string. */
export async function loadMovieLens(
  path: string,
  options: MovieLensOptions = {},
): Promise<Interactions> {
  const implicit = options.weights === 'implicit';
  const builder = new InteractionsBuilder();
  const lines = createInterface({
    input: createReadStream(path, { encoding: 'utf8' }),
    crlfDelay: Infinity,
  });
  let lineNo = 0;
  for await (const raw of lines) {
    lineNo++;
    const line = raw.trim();
    if (line === '') continue;
    const fields = line.split(SEPARATOR);
    if (fields.length < 3) {
      throw new MovieLensFormatError(path, lineNo, 'expected user, item, rating[, timestamp]');
    }
    const rating = Number(fields[2]);
    const timestamp = fields.length > 3 ? Number(fields[3]) : 0;
    if (!Number.isFinite(rating) || !Number.isFinite(timestamp)) {
      // ml-latest CSVs and exported .inter files start with a header line.
      if (lineNo === 1) continue;
      throw new MovieLensFormatError(path, lineNo, 'rating and timestamp must be numbers');
    }
    builder.add(fields[0]!, fields[1]!, implicit ? 1 : rating, timestamp);
  }
  return builder.build();
}

/** Writes a log in ml-100k format (tab-separated), e.g. a synthetic set for the CLI. */
export function formatMovieLens(log: Interactions): string {
  const out: string[] = new Array<string>(log.length);
  for (let e = 0; e < log.length; e++) {
    out[e] =
      `${log.userIds[log.users[e]!]}\t${log.itemIds[log.items[e]!]}\t` +
      `${log.weights[e]}\t${log.timestamps[e]}`;
  }
  return out.join('\n') + '\n';
}
