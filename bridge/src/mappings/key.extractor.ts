import type { LogMessage } from '@platform/kit/messaging';
import type { KeySpec } from './mapping.config.js';

/** What the key extraction needs from a message; the payload is parsed at most once, lazily. */
export interface KeySource {
  message: Pick<LogMessage, 'topic' | 'key' | 'headers'>;
  payload: () => unknown;
}

export type KeyResult = { ok: true; key: string | null } | { ok: false; reason: string };

/**
 * The key of the forwarded message, from the source key, a subject token, a header or a payload
 * field. A key that the spec asks for and the message lacks is a failure with a reason: the
 * message would otherwise land on an arbitrary partition and lose its order.
 */
export function extractKey(spec: KeySpec, source: KeySource): KeyResult {
  switch (spec.from) {
    case 'source':
      return { ok: true, key: source.message.key };
    case 'subject': {
      const tokens = source.message.topic.split('.');
      const token = tokens.at(spec.token);
      if (token === undefined)
        return {
          ok: false,
          reason: `no key: "${source.message.topic}" has no token ${spec.token}`,
        };
      return { ok: true, key: token };
    }
    case 'header': {
      const value = source.message.headers[spec.name];
      if (value === undefined || value === '')
        return { ok: false, reason: `no key: header "${spec.name}" is missing` };
      return { ok: true, key: value };
    }
    case 'payload': {
      let value: unknown;
      try {
        value = spec.field
          .split('.')
          .reduce<unknown>(
            (node, part) =>
              node !== null && typeof node === 'object' && Object.hasOwn(node, part)
                ? (node as Record<string, unknown>)[part]
                : undefined,
            source.payload(),
          );
      } catch (error) {
        return { ok: false, reason: `no key: payload is not JSON (${(error as Error).message})` };
      }
      if (typeof value === 'string' && value !== '') return { ok: true, key: value };
      if (typeof value === 'number' && Number.isFinite(value))
        return { ok: true, key: String(value) };
      return {
        ok: false,
        reason: `no key: payload field "${spec.field}" is ${value === undefined ? 'missing' : 'not a string or number'}`,
      };
    }
  }
}
