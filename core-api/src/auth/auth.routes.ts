import {
  authResponseSchema,
  loginBodySchema,
  refreshResponseSchema,
  registerBodySchema,
  userSchema,
} from '@platform/contracts';
import { parse as parseCookies, serialize as serializeCookie } from 'cookie';
import type { Request } from 'express';
import { defineRoute, type RouteContext } from '../http/route.js';
import type { RateLimits } from '../rate-limit/rate-limit.js';
import { REFRESH_IDLE_SECONDS, type AuthService, type Session } from './auth.service.js';

export const REFRESH_COOKIE = 'refresh_token';
const COOKIE_PATH = '/v1/auth';

export interface AuthRoutesDeps {
  auth: AuthService;
  limits: RateLimits;
  cookieSecure: boolean;
}

/** Accounts and sessions: access token in the body, refresh token in an HttpOnly cookie. */
export function authRoutes(context: RouteContext, deps: AuthRoutesDeps): void {
  const { auth } = deps;
  const setCookie = (token: string) =>
    serializeCookie(REFRESH_COOKIE, token, {
      httpOnly: true,
      secure: deps.cookieSecure,
      sameSite: 'strict',
      path: COOKIE_PATH,
      maxAge: REFRESH_IDLE_SECONDS,
    });
  const clearCookie = serializeCookie(REFRESH_COOKIE, '', {
    httpOnly: true,
    secure: deps.cookieSecure,
    sameSite: 'strict',
    path: COOKIE_PATH,
    maxAge: 0,
  });
  const sessionResult = (status: number, session: Session) => ({
    status,
    body: { user: session.user, accessToken: session.accessToken },
    headers: { 'set-cookie': setCookie(session.refreshToken), 'cache-control': 'no-store' },
  });
  const presented = (req: Request) => parseCookies(req.headers.cookie ?? '')[REFRESH_COOKIE];

  defineRoute(context, {
    method: 'post',
    path: '/v1/auth/register',
    operationId: 'signUp',
    summary: 'Create an account and sign in',
    tags: ['auth'],
    auth: 'none',
    body: registerBodySchema,
    before: [deps.limits.signup],
    responses: {
      201: {
        description: 'Account created; refresh token set as a cookie',
        schema: authResponseSchema,
      },
    },
    handler: async ({ body }) => sessionResult(201, await auth.register(body)),
  });

  defineRoute(context, {
    method: 'post',
    path: '/v1/auth/login',
    operationId: 'logIn',
    summary: 'Sign in with email and password',
    tags: ['auth'],
    auth: 'none',
    body: loginBodySchema,
    before: deps.limits.login,
    problems: [401],
    responses: {
      200: { description: 'Signed in; refresh token set as a cookie', schema: authResponseSchema },
    },
    handler: async ({ body }) => sessionResult(200, await auth.login(body)),
  });

  defineRoute(context, {
    method: 'post',
    path: '/v1/auth/refresh',
    operationId: 'refresh',
    summary: 'Exchange the refresh cookie for a new access token (the cookie rotates)',
    tags: ['auth'],
    auth: 'none',
    problems: [401],
    responses: {
      200: { description: 'New access token; new refresh cookie', schema: refreshResponseSchema },
    },
    handler: async ({ req }) => {
      const session = await auth.refresh(presented(req));
      return {
        status: 200,
        body: { accessToken: session.accessToken },
        headers: { 'set-cookie': setCookie(session.refreshToken), 'cache-control': 'no-store' },
      };
    },
  });

  defineRoute(context, {
    method: 'post',
    path: '/v1/auth/logout',
    operationId: 'logOut',
    summary: 'End the session: the refresh token family is revoked',
    tags: ['auth'],
    auth: 'none',
    responses: { 204: { description: 'Signed out' } },
    handler: async ({ req }) => {
      await auth.logout(presented(req));
      return { status: 204, headers: { 'set-cookie': clearCookie } };
    },
  });

  defineRoute(context, {
    method: 'get',
    path: '/v1/me',
    operationId: 'getMe',
    summary: 'The signed-in account',
    tags: ['auth'],
    auth: 'required',
    problems: [404],
    responses: { 200: { description: 'The account', schema: userSchema } },
    handler: async ({ user }) => ({ status: 200, body: await auth.me(user.id) }),
  });
}
