/**
 * What the ClickHouse we talk to can do, from `SELECT version()`. The SQL must run on Debian's
 * 18.16 (CI) and on current releases (chdb 26.x, the docker-compose 25.8 image); anything newer
 * than 18.16 is used only behind one of these flags, and the queries never depend on them: they
 * change storage (column encodings, retention), never results.
 */
export interface ServerVersion {
  text: string;
  major: number;
  minor: number;
}

export interface ServerFeatures {
  version: ServerVersion;
  /**
   * `LowCardinality(String)` for low-cardinality columns (types, categories, cities): a
   * dictionary encoding that shrinks and speeds them up. 18.16 only has it behind an
   * experimental setting; we use it from the 20.3 LTS on.
   */
  lowCardinality: boolean;
  /** Table `TTL` (19.6+): lets the server expire the consumer's progress rows by itself. */
  tableTtl: boolean;
}

export function parseServerVersion(text: string): ServerVersion {
  const match = /^(\d+)\.(\d+)/.exec(text.trim().replace(/^"|"$/g, ''));
  if (!match) throw new Error(`unrecognised ClickHouse version: ${JSON.stringify(text)}`);
  return { text: text.trim(), major: Number(match[1]), minor: Number(match[2]) };
}

const atLeast = (v: ServerVersion, major: number, minor: number) =>
  v.major > major || (v.major === major && v.minor >= minor);

export function featuresOf(version: ServerVersion): ServerFeatures {
  return {
    version,
    lowCardinality: atLeast(version, 20, 3),
    tableTtl: atLeast(version, 20, 3),
  };
}
