import { describe, expect, it } from 'vitest';
import {
  expandClickHouseQuery,
  expandPostgresQuery,
  expandPromQl,
  type QueryContext,
} from './grafana-queries.js';

const ctx = (city: { selected: string[]; all: boolean }): QueryContext => ({
  from: new Date('2024-06-01T10:00:00Z'),
  to: new Date('2024-06-01T12:00:00.500Z'),
  intervalMs: 60_000,
  variables: { city: { ...city, options: ['Bergen', 'Oslo'] } },
});
const all = ctx({ selected: [], all: true });
const oslo = ctx({ selected: ['Oslo'], all: false });

/** Expected outputs follow the plugins' own tests and code (see grafana-queries.ts). */
describe('Grafana query expansion', () => {
  it('expands ClickHouse time macros to epoch seconds as the plugin backend does', () => {
    expect(expandClickHouseQuery('WHERE $__timeFilter(t) AND x < $__toTime', all)).toBe(
      'WHERE t >= toDateTime(1717236000) AND t <= toDateTime(1717243200) AND x < toDateTime(1717243200)',
    );
    expect(
      expandClickHouseQuery('SELECT intDiv(toUInt32(t), $__interval_s), $__fromTime', all),
    ).toBe('SELECT intDiv(toUInt32(t), 60), toDateTime(1717236000)');
    expect(expandClickHouseQuery('$__timeFilter_ms(t)', all)).toBe(
      't >= fromUnixTimestamp64Milli(1717236000000) AND t <= fromUnixTimestamp64Milli(1717243200500)',
    );
    expect(expandClickHouseQuery('$__timeInterval(t)', all)).toBe(
      'toStartOfInterval(toDateTime(t), INTERVAL 60 second)',
    );
  });

  it('drops a $__conditionalAll condition when its variable is All, and keeps it otherwise', () => {
    const sql = 'WHERE $__conditionalAll(city IN (${city:singlequote}), $city) AND 1';
    expect(expandClickHouseQuery(sql, all)).toBe('WHERE 1=1 AND 1');
    expect(expandClickHouseQuery(sql, oslo)).toBe("WHERE city IN ('Oslo') AND 1");
    expect(expandClickHouseQuery(sql, ctx({ selected: ['Oslo', "Bergen's"], all: false }))).toBe(
      "WHERE city IN ('Oslo','Bergen\\'s') AND 1",
    );
  });

  it('formats variables like the ClickHouse plugin: a list quoted, one value as it is', () => {
    expect(expandClickHouseQuery('$city', oslo)).toBe('Oslo');
    expect(expandClickHouseQuery('[$city]', all)).toBe("['Bergen','Oslo']");
  });

  it('expands PostgreSQL macros as Grafana does, and refuses unknown ones', () => {
    expect(expandPostgresQuery('WHERE $__timeFilter(created_at)', all)).toBe(
      "WHERE created_at BETWEEN '2024-06-01T10:00:00.000Z' AND '2024-06-01T12:00:00.500Z'",
    );
    expect(() => expandPostgresQuery('SELECT $__nope(x)', all)).toThrow('unknown macro');
  });

  it('turns $__rate_interval into at least four scrape intervals, and $__range into the range', () => {
    expect(expandPromQl('rate(x[$__rate_interval])', all, 5_000)).toBe('rate(x[65s])');
    expect(expandPromQl('rate(x[$__rate_interval])', { ...all, intervalMs: 1_000 }, 5_000)).toBe(
      'rate(x[20s])',
    );
    expect(expandPromQl('increase(x[$__range])', all, 5_000)).toBe('increase(x[7201s])');
  });

  it('throws on anything it does not know instead of sending it to the server', () => {
    expect(() => expandClickHouseQuery('SELECT $__unknownMacro(x)', all)).toThrow(
      '$__unknownMacro',
    );
    expect(() => expandClickHouseQuery('SELECT $nope', all)).toThrow('$nope');
  });
});
