import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigError, env, parseConfig } from './config.js';

const schema = z.object({
  PORT: env.port(8080),
  DATABASE_URL: z.url(),
  RATE_LIMIT: env.boolean(true),
  ADMIN_EMAILS: env.list(),
});

describe('parseConfig', () => {
  it('applies defaults and coerces values', () => {
    const config = parseConfig(schema, {
      DATABASE_URL: 'postgres://x@localhost/db',
      RATE_LIMIT: 'off',
      ADMIN_EMAILS: 'a@x.io, b@x.io',
      UNRELATED: 'ignored',
    });
    expect(config).toEqual({
      PORT: 8080,
      DATABASE_URL: 'postgres://x@localhost/db',
      RATE_LIMIT: false,
      ADMIN_EMAILS: ['a@x.io', 'b@x.io'],
    });
  });

  it('names every bad or missing variable', () => {
    try {
      parseConfig(schema, { PORT: 'eighty', RATE_LIMIT: 'maybe' });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const names = (error as ConfigError).problems.map((p) => p.variable).sort();
      expect(names).toEqual(['DATABASE_URL', 'PORT', 'RATE_LIMIT']);
      expect((error as Error).message).toContain('PORT:');
    }
  });

  it('treats an empty string as unset', () => {
    const config = parseConfig(schema, { DATABASE_URL: 'postgres://h/db', PORT: '' });
    expect(config.PORT).toBe(8080);
  });
});
