import type { RequestHandler } from 'express';
import type { AccessTokens } from './tokens.js';

/**
 * Reads `Authorization: Bearer <jwt>` when present. A present but invalid or expired token is a
 * 401 on every route, so clients learn to refresh instead of silently acting anonymously.
 */
export function authenticate(tokens: AccessTokens): RequestHandler {
  return async (req, _res, next) => {
    const header = req.headers.authorization;
    if (!header) return next();
    const match = /^Bearer ([A-Za-z0-9_.-]+)$/.exec(header);
    try {
      req.user = await tokens.verify(match?.[1] ?? '');
      next();
    } catch (error) {
      next(error);
    }
  };
}
