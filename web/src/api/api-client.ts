import { ApiError } from './api-error.js';

export type QueryValue = string | number | boolean | null | undefined;

export interface RequestOptions {
  body?: unknown;
  query?: Record<string, QueryValue>;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

export interface ApiClientDeps {
  fetch?: typeof fetch;
  /** Serialises refreshes across tabs (Web Locks); absent in tests and old browsers. */
  locks?: Pick<LockManager, 'request'>;
}

/** `?a=1&b=x` from the defined, non-empty values. */
export function queryString(query: Record<string, QueryValue> | undefined): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value === undefined || value === null || value === '') continue;
    params.set(key, String(value));
  }
  const s = params.toString();
  return s ? `?${s}` : '';
}

/**
 * JSON over fetch to the same origin. The access token lives only in this object's memory; the
 * refresh token is an HttpOnly cookie scoped to /v1/auth that the browser sends by itself. A 401
 * on an authenticated request refreshes once (one refresh at a time, however many requests
 * failed) and retries.
 */
export class ApiClient {
  private accessToken: string | undefined;
  private refreshing: Promise<string | undefined> | undefined;
  private readonly fetch: typeof fetch;
  private readonly locks: Pick<LockManager, 'request'> | undefined;
  /** Called when a refresh fails: the session is over (expired, revoked, logged out elsewhere). */
  onSessionEnded: (() => void) | undefined;

  constructor(deps: ApiClientDeps = {}) {
    this.fetch = deps.fetch ?? ((...args) => globalThis.fetch(...args));
    this.locks = deps.locks;
  }

  get token(): string | undefined {
    return this.accessToken;
  }

  setToken(token: string | undefined): void {
    this.accessToken = token;
  }

  get<T>(path: string, options?: RequestOptions): Promise<T> {
    return this.request<T>('GET', path, options);
  }
  post<T>(path: string, body?: unknown, options?: RequestOptions): Promise<T> {
    return this.request<T>('POST', path, { ...options, body });
  }
  patch<T>(path: string, body: unknown, options?: RequestOptions): Promise<T> {
    return this.request<T>('PATCH', path, { ...options, body });
  }
  delete<T>(path: string, options?: RequestOptions): Promise<T> {
    return this.request<T>('DELETE', path, options);
  }

  async request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    const sentToken = this.accessToken;
    let res = await this.send(method, path, options, sentToken);
    if (res.status === 401 && sentToken && !path.startsWith('/v1/auth/')) {
      const fresh = await this.refresh();
      if (fresh) res = await this.send(method, path, options, fresh);
      else this.onSessionEnded?.();
    }
    return read<T>(res);
  }

  /**
   * A new access token from the refresh cookie, or undefined when there is no session. Refresh
   * tokens rotate and reuse revokes the session, so only one refresh may be in flight: per page
   * through `refreshing`, across tabs through a Web Lock.
   */
  refresh(): Promise<string | undefined> {
    this.refreshing ??= (async () => {
      try {
        const run = () => this.refreshNow();
        return this.locks ? await this.locks.request('events-platform-refresh', run) : await run();
      } finally {
        this.refreshing = undefined;
      }
    })();
    return this.refreshing;
  }

  private async refreshNow(): Promise<string | undefined> {
    const res = await this.fetch('/v1/auth/refresh', {
      method: 'POST',
      credentials: 'same-origin',
      headers: { accept: 'application/json' },
    });
    if (res.status === 401) {
      this.accessToken = undefined;
      return undefined;
    }
    const { accessToken } = await read<{ accessToken: string }>(res);
    this.accessToken = accessToken;
    return accessToken;
  }

  private send(
    method: string,
    path: string,
    options: RequestOptions,
    token: string | undefined,
  ): Promise<Response> {
    const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
    if (token) headers.authorization = `Bearer ${token}`;
    let body: string | undefined;
    if (options.body !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(options.body);
    }
    return this.fetch(path + queryString(options.query), {
      method,
      headers,
      body,
      credentials: 'same-origin',
      signal: options.signal,
    });
  }
}

async function read<T>(res: Response): Promise<T> {
  if (res.ok) {
    if (res.status === 204) return undefined as T;
    const text = await res.text();
    return (text ? JSON.parse(text) : undefined) as T;
  }
  let problem;
  try {
    problem = (await res.json()) as ApiError['problem'];
  } catch {
    problem = undefined;
  }
  throw new ApiError(res.status, problem);
}
