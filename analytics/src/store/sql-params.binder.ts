/**
 * Client-side binding of ClickHouse's `{name:Type}` query parameters.
 *
 * Why not server-side parameters: Debian's ClickHouse 18.16, which CI runs, has none (they came
 * in 19.x), and the SQL must be the same on every server. So the queries keep ClickHouse's own
 * placeholder syntax, which reads well and pastes into `clickhouse-client --param_...` or a
 * Grafana panel, and this module substitutes each placeholder with a literal built from the
 * declared type. Every value reaching SQL text goes through `formatLiteral`: strings are quoted
 * with every backslash, quote and control character escaped, numbers must be finite (integers in
 * range for integer types), dates become `toDateTime(<epoch seconds>, 'UTC')` so no server time
 * zone or string parsing is involved. A value of the wrong shape throws instead of being coerced.
 */

export type SqlValue = string | number | bigint | boolean | Date | null | readonly SqlValue[];
export type SqlParams = Readonly<Record<string, SqlValue>>;

export class SqlParamError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SqlParamError';
  }
}

const integerRanges: Record<string, [bigint, bigint]> = {
  UInt8: [0n, 255n],
  UInt16: [0n, 65_535n],
  UInt32: [0n, 4_294_967_295n],
  UInt64: [0n, 18_446_744_073_709_551_615n],
  Int8: [-128n, 127n],
  Int16: [-32_768n, 32_767n],
  Int32: [-2_147_483_648n, 2_147_483_647n],
  Int64: [-9_223_372_036_854_775_808n, 9_223_372_036_854_775_807n],
};

const escapes: Record<string, string> = {
  '\\': '\\\\',
  "'": "\\'",
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\0': '\\0',
  '\b': '\\b',
  '\f': '\\f',
};

/** A ClickHouse string literal: single quotes, backslash escapes, control characters as \xHH. */
export function quoteString(value: string): string {
  // eslint-disable-next-line no-control-regex -- escaping control characters is the point
  const body = value.replace(/[\\'\u0000-\u001f\u007f]/g, (c) => {
    return escapes[c] ?? `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`;
  });
  return `'${body}'`;
}

/** A backquoted identifier; only plain names are accepted, so nothing needs escaping. */
export function quoteIdentifier(name: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
    throw new SqlParamError(`not a plain identifier: ${JSON.stringify(name)}`);
  }
  return `\`${name}\``;
}

function unwrap(type: string, wrapper: string): string | null {
  const prefix = `${wrapper}(`;
  return type.startsWith(prefix) && type.endsWith(')')
    ? type.slice(prefix.length, -1).trim()
    : null;
}

function epochSeconds(value: SqlValue): number {
  let ms: number;
  if (value instanceof Date) ms = value.getTime();
  else if (typeof value === 'string') ms = Date.parse(value);
  else if (typeof value === 'number') ms = value;
  else throw new SqlParamError(`expected a Date, ISO string or epoch milliseconds`);
  if (!Number.isFinite(ms)) throw new SqlParamError(`not a valid instant: ${String(value)}`);
  const seconds = Math.floor(ms / 1000);
  if (seconds < 0 || seconds > 4_294_967_295) {
    throw new SqlParamError(`instant outside DateTime's range: ${String(value)}`);
  }
  return seconds;
}

function formatInteger(value: SqlValue, type: string): string {
  const [min, max] = integerRanges[type]!;
  let n: bigint;
  if (typeof value === 'bigint') n = value;
  else if (typeof value === 'number' && Number.isSafeInteger(value)) n = BigInt(value);
  else if (typeof value === 'boolean' && type === 'UInt8') n = value ? 1n : 0n;
  else throw new SqlParamError(`expected an integer for ${type}, got ${String(value)}`);
  if (n < min || n > max) throw new SqlParamError(`${n} is out of range for ${type}`);
  return n.toString();
}

/** The literal for one value of a ClickHouse type (the subset our queries use). */
export function formatLiteral(value: SqlValue, type: string): string {
  const t = type.trim();
  const nullable = unwrap(t, 'Nullable');
  if (nullable !== null) return value === null ? 'NULL' : formatLiteral(value, nullable);
  if (value === null) throw new SqlParamError(`NULL given for non-nullable ${t}`);

  const element = unwrap(t, 'Array');
  if (element !== null) {
    if (!Array.isArray(value)) throw new SqlParamError(`expected an array for ${t}`);
    const items = (value as readonly SqlValue[]).map((v) => formatLiteral(v, element));
    // An empty `[]` is Array(Nothing); the cast keeps the declared element type.
    return items.length === 0 ? `CAST([] AS ${t})` : `[${items.join(', ')}]`;
  }

  if (t in integerRanges) return formatInteger(value, t);
  switch (t) {
    case 'String':
      if (typeof value !== 'string') throw new SqlParamError(`expected a string for String`);
      return quoteString(value);
    case 'Float32':
    case 'Float64':
      if (typeof value !== 'number' || !Number.isFinite(value)) {
        throw new SqlParamError(`expected a finite number for ${t}, got ${String(value)}`);
      }
      return String(value);
    case 'Bool':
      if (typeof value !== 'boolean') throw new SqlParamError(`expected a boolean for Bool`);
      return value ? '1' : '0';
    case 'DateTime':
      return `toDateTime(${epochSeconds(value)}, 'UTC')`;
    case 'Identifier':
      if (typeof value !== 'string') throw new SqlParamError(`expected a string for Identifier`);
      return quoteIdentifier(value);
    default:
      throw new SqlParamError(`unsupported parameter type ${t}`);
  }
}

const placeholder = /\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*:\s*([A-Za-z0-9_(), ]+?)\s*\}/y;

/**
 * Replaces every `{name:Type}` in `sql` with the literal for `params[name]`. Quoted strings,
 * quoted identifiers and comments in the SQL are copied untouched, so a `{...}` inside them is
 * not a placeholder. A placeholder without a value throws.
 */
export function bindParams(sql: string, params: SqlParams = {}): string {
  let out = '';
  let i = 0;
  while (i < sql.length) {
    const c = sql[i]!;
    if (c === "'" || c === '"' || c === '`') {
      let j = i + 1;
      while (j < sql.length && sql[j] !== c) j += sql[j] === '\\' ? 2 : 1;
      out += sql.slice(i, j + 1);
      i = j + 1;
    } else if (c === '-' && sql[i + 1] === '-') {
      const end = sql.indexOf('\n', i);
      const j = end === -1 ? sql.length : end;
      out += sql.slice(i, j);
      i = j;
    } else if (c === '/' && sql[i + 1] === '*') {
      const end = sql.indexOf('*/', i + 2);
      const j = end === -1 ? sql.length : end + 2;
      out += sql.slice(i, j);
      i = j;
    } else if (c === '{') {
      placeholder.lastIndex = i;
      const match = placeholder.exec(sql);
      if (!match) throw new SqlParamError(`malformed placeholder at: ${sql.slice(i, i + 40)}`);
      const [whole, name, type] = match as unknown as [string, string, string];
      if (!Object.hasOwn(params, name)) throw new SqlParamError(`no value for {${name}:${type}}`);
      try {
        out += formatLiteral(params[name] as SqlValue, type);
      } catch (error) {
        if (error instanceof SqlParamError) {
          throw new SqlParamError(`{${name}:${type}}: ${error.message}`);
        }
        throw error;
      }
      i += whole.length;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}
