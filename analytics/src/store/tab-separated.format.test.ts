import { describe, expect, it } from 'vitest';
import { toTabSeparated, tsvStringArray } from './tab-separated.format.js';

describe('toTabSeparated', () => {
  it('writes one line per row, columns in the first row’s key order', () => {
    expect(
      toTabSeparated([
        { a: 'x', b: 1 },
        { a: 'y', b: 2 },
      ]),
    ).toEqual({
      columns: ['a', 'b'],
      payload: 'x\t1\ny\t2\n',
      count: 2,
    });
  });

  it('escapes what would end a field or a row, and nothing else', () => {
    const { payload } = toTabSeparated([{ s: 'a\tb\nc\\d\re\0f' }, { s: "it's [x]" }]);
    expect(payload).toBe("a\\tb\\nc\\\\d\\re\\0f\nit's [x]\n");
  });

  it('writes NULL as \\N, booleans as 0/1, big integers exactly', () => {
    const { payload } = toTabSeparated([
      { n: null, t: true, f: false, u: 18_446_744_073_709_551_615n, x: -0.5 },
    ]);
    expect(payload).toBe('\\N\t1\t0\t18446744073709551615\t-0.5\n');
  });

  it('writes arrays as SQL literals, so a quote or tab inside an element stays inside it', () => {
    const { payload } = toTabSeparated([{ a: ["o'neil", 'tab\there', ''], e: [], n: [1, null] }]);
    expect(payload).toBe("['o\\'neil','tab\\there','']\t[]\t[1,NULL]\n");
  });

  it('writes a string array field the same whether encoded alone or as part of a row', () => {
    const values = ["o'neil", 'tab\there', 'back\\slash', 'nul\0', 'plain', ''];
    expect(tsvStringArray(values) + '\n').toBe(toTabSeparated([{ a: values }]).payload);
  });

  it('refuses rows that do not match the first, and numbers ClickHouse cannot store', () => {
    expect(() => toTabSeparated([{ a: 1, b: 2 }, { a: 1 }])).toThrow(/column b/);
    expect(() => toTabSeparated([{ a: Number.NaN }])).toThrow(RangeError);
  });
});
