import { describe, expect, it } from 'vitest';
import {
  bindParams,
  formatLiteral,
  quoteIdentifier,
  quoteString,
  SqlParamError,
} from './sql-params.binder.js';

describe('quoteString', () => {
  it('escapes backslashes and quotes so the value cannot end the literal', () => {
    expect(quoteString(`a'b\\c`)).toBe(`'a\\'b\\\\c'`);
    expect(quoteString(`\\'; DROP TABLE x; --`)).toBe(`'\\\\\\'; DROP TABLE x; --'`);
  });

  it('escapes control characters, including NUL, and keeps other Unicode as is', () => {
    expect(quoteString('a\nb\tc\r\0')).toBe(`'a\\nb\\tc\\r\\0'`);
    expect(quoteString('\u0001\u001f\u007f')).toBe(`'\\x01\\x1f\\x7f'`);
    expect(quoteString('Ærø 🎉 日本')).toBe(`'Ærø 🎉 日本'`);
  });
});

describe('formatLiteral', () => {
  it('formats integers within their type and rejects anything else', () => {
    expect(formatLiteral(42, 'UInt32')).toBe('42');
    expect(formatLiteral(-5, 'Int64')).toBe('-5');
    expect(formatLiteral(18_446_744_073_709_551_615n, 'UInt64')).toBe('18446744073709551615');
    expect(formatLiteral(true, 'UInt8')).toBe('1');
    expect(() => formatLiteral(-1, 'UInt32')).toThrow(SqlParamError);
    expect(() => formatLiteral(256, 'UInt8')).toThrow(/out of range/);
    expect(() => formatLiteral(1.5, 'UInt32')).toThrow(/integer/);
    expect(() => formatLiteral('1', 'UInt32')).toThrow(/integer/);
    expect(() => formatLiteral(2 ** 60, 'UInt64')).toThrow(/integer/);
  });

  it('formats finite floats and rejects NaN and infinity', () => {
    expect(formatLiteral(0.25, 'Float64')).toBe('0.25');
    expect(formatLiteral(-1e-7, 'Float64')).toBe('-1e-7');
    expect(() => formatLiteral(Number.NaN, 'Float64')).toThrow(/finite/);
    expect(() => formatLiteral(Infinity, 'Float64')).toThrow(/finite/);
  });

  it('turns instants into UTC epoch seconds, whatever form they come in', () => {
    const expected = `toDateTime(1700000000, 'UTC')`;
    expect(formatLiteral(new Date('2023-11-14T22:13:20.999Z'), 'DateTime')).toBe(expected);
    expect(formatLiteral('2023-11-15T00:13:20+02:00', 'DateTime')).toBe(expected);
    expect(formatLiteral(1_700_000_000_000, 'DateTime')).toBe(expected);
    expect(() => formatLiteral('yesterday', 'DateTime')).toThrow(/valid instant/);
    expect(() => formatLiteral(new Date(-1000), 'DateTime')).toThrow(/range/);
  });

  it('formats arrays element by element and keeps the element type of an empty one', () => {
    expect(formatLiteral(['a', "b'"], 'Array(String)')).toBe(`['a', 'b\\'']`);
    expect(formatLiteral([1, 2], 'Array(UInt32)')).toBe('[1, 2]');
    expect(formatLiteral([], 'Array(String)')).toBe('CAST([] AS Array(String))');
    expect(formatLiteral([['x']], 'Array(Array(String))')).toBe(`[['x']]`);
    expect(() => formatLiteral(['a', 1], 'Array(String)')).toThrow(/string/);
    expect(() => formatLiteral('a', 'Array(String)')).toThrow(/array/);
  });

  it('allows NULL only for Nullable types', () => {
    expect(formatLiteral(null, 'Nullable(String)')).toBe('NULL');
    expect(formatLiteral('x', 'Nullable(String)')).toBe(`'x'`);
    expect(() => formatLiteral(null, 'String')).toThrow(/NULL/);
  });

  it('accepts only plain identifiers', () => {
    expect(formatLiteral('analytics_1', 'Identifier')).toBe('`analytics_1`');
    expect(() => quoteIdentifier('a`; DROP')).toThrow(/identifier/);
    expect(() => quoteIdentifier('1abc')).toThrow(/identifier/);
  });

  it('refuses types it does not know rather than guessing', () => {
    expect(() => formatLiteral('x', 'Map(String, String)')).toThrow(/unsupported/);
  });
});

describe('bindParams', () => {
  it('replaces every placeholder, including repeated ones, with its literal', () => {
    expect(
      bindParams('SELECT {a:String} AS x, {n:UInt32} + {n:UInt32}, { a : String }', {
        a: "it's",
        n: 2,
      }),
    ).toBe(`SELECT 'it\\'s' AS x, 2 + 2, 'it\\'s'`);
  });

  it('leaves braces inside string literals, quoted identifiers and comments alone', () => {
    const sql = `SELECT '{a:String}', 'it\\'s {a:String}', \`{a:String}\` -- {a:String}
      /* {a:String} */ , {a:String}`;
    expect(bindParams(sql, { a: 'v' })).toBe(
      `SELECT '{a:String}', 'it\\'s {a:String}', \`{a:String}\` -- {a:String}
      /* {a:String} */ , 'v'`,
    );
  });

  it('does not re-scan substituted values, so a value cannot inject a placeholder', () => {
    expect(bindParams('SELECT {a:String}, {b:String}', { a: '{b:String}', b: 'x' })).toBe(
      `SELECT '{b:String}', 'x'`,
    );
  });

  it('names the placeholder when a value is missing or wrong', () => {
    expect(() => bindParams('SELECT {a:String}', {})).toThrow('no value for {a:String}');
    expect(() => bindParams('SELECT {a:UInt8}', { a: 300 })).toThrow(/\{a:UInt8\}.*range/);
    expect(() => bindParams('SELECT {a}', { a: 1 })).toThrow(/malformed placeholder/);
  });

  it('leaves SQL without placeholders unchanged', () => {
    const sql = "SELECT count() FROM t WHERE s = 'x' AND arr = [1, 2]";
    expect(bindParams(sql)).toBe(sql);
  });
});
