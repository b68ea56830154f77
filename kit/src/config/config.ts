import { z } from 'zod';

/** A configuration value that failed validation; the message names every bad variable. */
export class ConfigError extends Error {
  constructor(readonly problems: { variable: string; message: string }[]) {
    super(
      'Invalid configuration:\n' + problems.map((p) => `  ${p.variable}: ${p.message}`).join('\n'),
    );
    this.name = 'ConfigError';
  }
}

/**
 * Parses the environment once against a zod object whose keys are variable names.
 * Empty strings count as unset, so `FOO=` in a compose file falls back to the default.
 */
export function parseConfig<S extends z.ZodObject>(
  schema: S,
  env: Record<string, string | undefined> = process.env,
): z.infer<S> {
  const cleaned: Record<string, string> = {};
  for (const key of Object.keys(schema.shape)) {
    const value = env[key];
    if (value !== undefined && value !== '') cleaned[key] = value;
  }
  const result = schema.safeParse(cleaned);
  if (result.success) return result.data;
  throw new ConfigError(
    result.error.issues.map((issue) => ({
      variable: String(issue.path[0] ?? '(root)'),
      message: issue.message,
    })),
  );
}

/** For `main.ts`: parse, or print what is wrong and stop the process. */
export function loadConfig<S extends z.ZodObject>(
  schema: S,
  env: Record<string, string | undefined> = process.env,
): z.infer<S> {
  try {
    return parseConfig(schema, env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw error;
  }
}

/** Reusable field types for environment variables. */
export const env = {
  port: (fallback: number) => z.coerce.number().int().min(0).max(65_535).default(fallback),
  url: (fallback: string) => z.url().default(fallback),
  boolean: (fallback: boolean) =>
    z
      .enum(['true', 'false', '1', '0', 'on', 'off', 'yes', 'no'], {
        error: 'must be one of true/false, 1/0, on/off, yes/no',
      })
      .transform((v) => ['true', '1', 'on', 'yes'].includes(v))
      .default(fallback),
  list: (fallback: string[] = []) =>
    z
      .string()
      .transform((v) =>
        v
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean),
      )
      .default(fallback),
  logLevel: () =>
    z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  positiveInt: (fallback: number) => z.coerce.number().int().positive().default(fallback),
} as const;

/** Defaults point at the servers `npm run services:up` starts on 127.0.0.1. */
export const localDefaults = {
  databaseUrl: 'postgres://platform:platform@127.0.0.1:5432/platform',
  redisUrl: 'redis://127.0.0.1:6379',
  natsUrl: 'nats://127.0.0.1:4222',
  kafkaBrokers: ['127.0.0.1:9092'],
  clickhouseUrl: 'http://127.0.0.1:8123',
  elasticsearchUrl: 'http://127.0.0.1:9200',
  prometheusUrl: 'http://127.0.0.1:9090',
} as const;
