import { createHash } from 'node:crypto';
import { BadRequestError, ConflictError, UnprocessableError } from '@platform/kit';
import type { RequestHandler, Response } from 'express';
import { sql } from 'kysely';
import type { Db } from '../db/db.js';

/** How long a key is remembered. */
export const IDEMPOTENCY_TTL_HOURS = 24;
/** A key still "running" after this long belongs to a request that died with its process. */
const ABANDONED_AFTER_SECONDS = 60;
/** Only these response headers are stored and replayed (never Set-Cookie: see README). */
const REPLAYED_HEADERS = ['content-type', 'location'];

const keyPattern = /^[\x21-\x7e]{1,255}$/;

/** JSON with sorted object keys, so the same payload fingerprints the same however it was sent. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) =>
      a < b ? -1 : 1,
    );
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** Outcomes worth replaying: the handler ran and decided. Validation failures, auth failures,
 * rate limits and server errors are forgotten so that a corrected retry runs. */
const isStored = (status: number) =>
  (status >= 200 && status < 300) || status === 404 || status === 409;

/**
 * `Idempotency-Key` on POST (draft-ietf-httpapi-idempotency-key-header): a retry with the same key
 * and body replays the first response byte for byte; the same key while the first request is
 * still running gets 409; with a different body, 422. Keys are scoped to the caller (user, or
 * client IP when anonymous) and kept 24 h. The response is stored before it is sent, so a retry
 * that follows a received response always replays it.
 */
export function idempotency(db: Db): RequestHandler {
  return async (req, res, next) => {
    const key = req.get('idempotency-key');
    if (key === undefined) return next();
    if (!keyPattern.test(key)) {
      throw new BadRequestError(
        'Idempotency-Key must be 1 to 255 visible ASCII characters',
        'bad-idempotency-key',
      );
    }
    const scope = req.user ? `user:${req.user.id}` : `ip:${req.ip}`;
    const fingerprint = createHash('sha256')
      .update(`${req.method} ${req.originalUrl}\n${canonicalJson(req.body ?? null)}`)
      .digest();

    const claimed = await db
      .insertInto('idempotency_keys')
      .values({ scope, key, fingerprint, state: 'running' })
      .onConflict((oc) =>
        oc
          .columns(['scope', 'key'])
          .doUpdateSet({
            fingerprint,
            state: 'running',
            created_at: sql`now()`,
            response_status: null,
            response_headers: null,
            response_body: null,
          })
          .where((eb) =>
            eb.or([
              eb(
                'idempotency_keys.created_at',
                '<',
                sql<Date>`now() - make_interval(hours => ${IDEMPOTENCY_TTL_HOURS})`,
              ),
              eb.and([
                eb('idempotency_keys.state', '=', 'running'),
                eb(
                  'idempotency_keys.created_at',
                  '<',
                  sql<Date>`now() - make_interval(secs => ${ABANDONED_AFTER_SECONDS})`,
                ),
                eb('idempotency_keys.fingerprint', '=', fingerprint),
              ]),
            ]),
          ),
      )
      .returning('key')
      .executeTakeFirst();

    if (!claimed) {
      const existing = await db
        .selectFrom('idempotency_keys')
        .selectAll()
        .where('scope', '=', scope)
        .where('key', '=', key)
        .executeTakeFirst();
      if (!existing || existing.state === 'running') {
        if (existing && !Buffer.from(existing.fingerprint).equals(fingerprint)) throw reused();
        throw new ConflictError(
          'A request with this Idempotency-Key is still being processed',
          'idempotency-key-in-use',
        );
      }
      if (!Buffer.from(existing.fingerprint).equals(fingerprint)) throw reused();
      res.status(existing.response_status ?? 200);
      for (const [name, value] of Object.entries(existing.response_headers ?? {}))
        res.setHeader(name, value);
      res.setHeader('idempotent-replayed', 'true');
      res.end(existing.response_body ? Buffer.from(existing.response_body) : undefined);
      return;
    }

    captureResponse(res, async (status, headers, body) => {
      if (isStored(status)) {
        await db
          .updateTable('idempotency_keys')
          .set({
            state: 'done',
            response_status: status,
            response_headers: JSON.stringify(headers),
            response_body: body,
          })
          .where('scope', '=', scope)
          .where('key', '=', key)
          .execute();
      } else {
        await db
          .deleteFrom('idempotency_keys')
          .where('scope', '=', scope)
          .where('key', '=', key)
          .execute();
      }
    });
    next();
  };
}

const reused = () =>
  new UnprocessableError(
    'This Idempotency-Key was already used with a different request',
    'idempotency-key-reused',
  );

/** Holds back `res.end` until `store` has kept the response (or failed, which is logged upstream). */
function captureResponse(
  res: Response,
  store: (status: number, headers: Record<string, string>, body: Buffer) => Promise<void>,
): void {
  const end = res.end.bind(res) as (...args: unknown[]) => Response;
  res.end = ((chunk?: unknown, encoding?: unknown, callback?: unknown) => {
    const body =
      chunk === undefined || typeof chunk === 'function'
        ? Buffer.alloc(0)
        : Buffer.isBuffer(chunk)
          ? chunk
          : Buffer.from(
              chunk as string,
              typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8',
            );
    const headers: Record<string, string> = {};
    for (const name of REPLAYED_HEADERS) {
      const value = res.getHeader(name);
      if (value !== undefined) headers[name] = String(value);
    }
    store(res.statusCode, headers, body)
      .catch((error: unknown) =>
        res.req.log?.error({ err: error }, 'could not store idempotent response'),
      )
      .finally(() => end(chunk, encoding, callback));
    return res;
  }) as Response['end'];
}
