import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MovieLensFormatError, formatMovieLens, loadMovieLens } from './movielens.loader.js';

describe('MovieLens loader', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'movielens-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads tab-separated ml-100k lines with ratings and timestamps', async () => {
    const path = join(dir, 'u.data');
    await writeFile(path, '196\t242\t3\t881250949\n186\t302\t3\t891717742\n196\t377\t1\t878887116\n');
    const log = await loadMovieLens(path);
    expect(log.length).toBe(3);
    expect(log.userIds).toEqual(['196', '186']);
    expect(log.itemIds).toEqual(['242', '302', '377']);
    expect(Array.from(log.weights)).toEqual([3, 3, 1]);
    expect(log.timestamps[2]).toBe(878887116);
  });

  it('reads ml-1m "::" lines, skips a header line, and makes ratings implicit on request', async () => {
    const path = join(dir, 'ratings.dat');
    await writeFile(path, 'user::item::rating::ts\r\n1::1193::5::978300760\r\n\r\n1::661::3::978302109\r\n');
    const log = await loadMovieLens(path, { weights: 'implicit' });
    expect(log.length).toBe(2);
    expect(log.itemIds).toEqual(['1193', '661']);
    expect(Array.from(log.weights)).toEqual([1, 1]);
  });

  it('names the file and line of a malformed row', async () => {
    const path = join(dir, 'bad.data');
    await writeFile(path, '1\t2\t3\t4\n1\t2\tfive\t4\n');
    await expect(loadMovieLens(path)).rejects.toThrow(MovieLensFormatError);
    await expect(loadMovieLens(path)).rejects.toThrow(/bad\.data:2:/);
  });

  it('writes a log that reads back identically', async () => {
    const path = join(dir, 'round.data');
    await writeFile(path, '7\t9\t4\t100\n8\t9\t2\t200\n');
    const log = await loadMovieLens(path);
    const again = join(dir, 'again.data');
    await writeFile(again, formatMovieLens(log));
    expect(await loadMovieLens(again)).toEqual(log);
  });
});
