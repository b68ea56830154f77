/**
 * Turns a panel's query into what its datasource actually runs, the way Grafana and the plugins
 * do, so the tests can run dashboard queries against real servers without Grafana:
 *
 * - ClickHouse (grafana-clickhouse-datasource 4.x): the frontend first expands
 *   `$__conditionalAll(condition, $var)` (the condition, or `1=1` when the variable is All or
 *   empty; `applyConditionalAll` in src/data/CHDatasource.ts), then template variables (the
 *   plugin formats a multi-value as `'a','b'`); the backend then expands its macros with
 *   `\$__name\b(?:\((.*?)\))?` and comma-split arguments (grafana/sqlds `interpolate`), as
 *   defined in pkg/macros/macros.go: `$__timeFilter(c)` is `c >= toDateTime(from) AND c <=
 *   toDateTime(to)` in epoch seconds, `$__fromTime`/`$__toTime` `toDateTime(s)`,
 *   `$__interval_s` the interval in whole seconds (at least 1), `$__timeInterval(c)`
 *   `toStartOfInterval(...)` (which ClickHouse 18.16 lacks: a panel using it fails there).
 * - PostgreSQL (Grafana's built-in datasource): template variables, then `$__name(args)` macros
 *   (pkg/tsdb/grafana-postgresql-datasource/macros.go): `$__timeFilter(c)` is `c BETWEEN
 *   '<from RFC 3339>' AND '<to>'`; an unknown macro is an error, as in Grafana.
 * - Prometheus: Grafana's interval variables: `$__rate_interval` = max(`$__interval` + scrape
 *   interval, 4 x scrape interval), `$__interval`, `$__range`, `$__range_s`.
 *
 * Anything left that looks like a macro or variable throws, naming it.
 */

export interface QueryContext {
  from: Date;
  to: Date;
  /** What Grafana computes from the panel width and the range. */
  intervalMs: number;
  /** Selected values per variable; `all` is All, which Grafana expands to every option. */
  variables: Record<string, { selected: string[]; all: boolean; options: string[] }>;
}

const seconds = (d: Date) => Math.floor(d.getTime() / 1000);

function variableValues(ctx: QueryContext, name: string): string[] {
  const v = ctx.variables[name];
  if (!v) throw new Error(`unknown template variable $${name}`);
  return v.all ? v.options : v.selected;
}

/** `$__conditionalAll(condition, $var)` as the ClickHouse plugin's frontend expands it. */
export function applyConditionalAll(sql: string, ctx: QueryContext): string {
  const macro = '$__conditionalAll(';
  let out = sql;
  for (let at = out.lastIndexOf(macro); at !== -1; at = out.lastIndexOf(macro)) {
    const args = macroArgs(out, at + macro.length - 1);
    if (args.length !== 2)
      throw new Error(`$__conditionalAll needs 2 arguments: ${out.slice(at, at + 80)}`);
    const [condition, variable] = args as [string, string];
    const name = /\$\{(\w+)\}|\$(\w+)/.exec(variable.trim());
    const v = name ? ctx.variables[name[1] ?? name[2]!] : undefined;
    if (!v) throw new Error(`$__conditionalAll on an unknown variable: ${variable}`);
    const phrase = v.all || v.selected.length === 0 ? '1=1' : condition;
    out = out.replace(`${macro}${condition},${variable})`, phrase);
  }
  return out;
}

/** The arguments of the call whose `(` is at `open`, split on top-level commas. */
function macroArgs(sql: string, open: number): string[] {
  const args: string[] = [];
  let depth = 0;
  let start = open + 1;
  for (let i = open; i < sql.length; i++) {
    const c = sql[i];
    if (c === '(') depth++;
    else if (c === ')') depth--;
    if (c === ',' && depth === 1) {
      args.push(sql.slice(start, i));
      start = i + 1;
    }
    if (depth === 0) {
      args.push(sql.slice(start, i));
      return args;
    }
  }
  return [];
}

const quote = (value: string) => `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

/** Grafana's template variables: `${var:format}`, `${var}`, `$var`, `[[var]]`. */
export function applyTemplateVariables(
  sql: string,
  ctx: QueryContext,
  defaultFormat: (values: string[]) => string,
): string {
  return sql.replace(
    /\$\{(\w+)(?::(\w+))?\}|\[\[(\w+)(?::(\w+))?\]\]|\$(\w+)/g,
    (match, n1?: string, f1?: string, n2?: string, f2?: string, n3?: string) => {
      const name = n1 ?? n2 ?? n3!;
      // Built-ins and macros ($__...) are not template variables.
      if (name.startsWith('__')) return match;
      const values = variableValues(ctx, name);
      const format = f1 ?? f2;
      if (format === 'singlequote') return values.map(quote).join(',');
      if (format === 'csv') return values.join(',');
      if (format !== undefined) throw new Error(`unsupported variable format ${format}`);
      return defaultFormat(values);
    },
  );
}

/** What the ClickHouse plugin sends to the server for `rawSql`. */
export function expandClickHouseQuery(rawSql: string, ctx: QueryContext): string {
  let sql = applyConditionalAll(rawSql, ctx);
  // The plugin's format(): arrays as a quoted list, a single value as it is.
  sql = applyTemplateVariables(sql, ctx, (values) =>
    values.length === 1 ? values[0]! : values.map((v) => `'${v}'`).join(','),
  );
  const dateTime = (d: Date) => `toDateTime(${seconds(d)})`;
  const dateTime64 = (d: Date) => `fromUnixTimestamp64Milli(${d.getTime()})`;
  const date = (d: Date) => `toDate('${d.toISOString().slice(0, 10)}')`;
  const intervalS = Math.max(Math.floor(ctx.intervalMs / 1000), 1);
  const one = (name: string, args: string[]) => {
    if (args.length !== 1)
      throw new Error(`$__${name} expects 1 argument, received ${args.length}`);
    return args[0]!;
  };
  const macros: Record<string, (args: string[]) => string> = {
    fromTime: () => dateTime(ctx.from),
    toTime: () => dateTime(ctx.to),
    fromTime_ms: () => dateTime64(ctx.from),
    toTime_ms: () => dateTime64(ctx.to),
    timeFilter: (a) => {
      const c = one('timeFilter', a);
      return `${c} >= ${dateTime(ctx.from)} AND ${c} <= ${dateTime(ctx.to)}`;
    },
    timeFilter_ms: (a) => {
      const c = one('timeFilter_ms', a);
      return `${c} >= ${dateTime64(ctx.from)} AND ${c} <= ${dateTime64(ctx.to)}`;
    },
    dateFilter: (a) => {
      const c = one('dateFilter', a);
      return `${c} >= ${date(ctx.from)} AND ${c} <= ${date(ctx.to)}`;
    },
    timeInterval: (a) =>
      `toStartOfInterval(toDateTime(${one('timeInterval', a)}), INTERVAL ${intervalS} second)`,
    interval_s: () => String(intervalS),
  };
  for (const [name, expand] of Object.entries(macros)) {
    sql = sql.replace(new RegExp(`\\$__${name}\\b(?:\\((.*?)\\))?`, 'g'), (_m, args?: string) =>
      expand(args === undefined ? [] : args.split(',').map((a) => a.trim())),
    );
  }
  return leftoverCheck(sql);
}

/** What Grafana's PostgreSQL datasource sends to the server for `rawSql`. */
export function expandPostgresQuery(rawSql: string, ctx: QueryContext): string {
  let sql = applyTemplateVariables(rawSql, ctx, (values) => values.map(quote).join(','));
  sql = sql.replace(/\$([_a-zA-Z0-9]+)\(([^)]*)\)/g, (_m, name: string, argText: string) => {
    const args = argText.split(',').map((a) => a.trim());
    switch (name) {
      case '__timeFilter':
        return `${args[0]} BETWEEN '${ctx.from.toISOString()}' AND '${ctx.to.toISOString()}'`;
      case '__timeFrom':
        return `'${ctx.from.toISOString()}'`;
      case '__timeTo':
        return `'${ctx.to.toISOString()}'`;
      case '__time':
        return `${args[0]} AS "time"`;
      default:
        throw new Error(`unknown macro "${name}"`);
    }
  });
  return leftoverCheck(sql);
}

/** PromQL with Grafana's interval variables; `scrapeIntervalMs` is the datasource's
 * `timeInterval` (the scrape interval). */
export function expandPromQl(expr: string, ctx: QueryContext, scrapeIntervalMs: number): string {
  const rangeS = Math.round((ctx.to.getTime() - ctx.from.getTime()) / 1000);
  const rateIntervalMs = Math.max(ctx.intervalMs + scrapeIntervalMs, 4 * scrapeIntervalMs);
  const out = applyTemplateVariables(expr, ctx, (values) =>
    values.length === 1 ? values[0]! : `(${values.join('|')})`,
  )
    .replace(/\$__rate_interval\b/g, `${Math.round(rateIntervalMs / 1000)}s`)
    .replace(/\$__interval\b/g, `${Math.max(Math.round(ctx.intervalMs / 1000), 1)}s`)
    .replace(/\$__range_s\b/g, String(rangeS))
    .replace(/\$__range\b/g, `${rangeS}s`);
  return leftoverCheck(out);
}

function leftoverCheck(text: string): string {
  const left = /\$__\w+|\$\{\w+|\[\[\w+/.exec(text);
  if (left) throw new Error(`not expanded: ${left[0]} in ${text.slice(0, 200)}`);
  return text;
}
