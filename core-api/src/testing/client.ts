/** A small HTTP client for API tests: JSON in and out, cookies kept per client. */
export interface Reply<T = any> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

export class TestClient {
  token: string | undefined;
  cookie: string | undefined;

  constructor(readonly base: string) {}

  async request<T = any>(
    method: string,
    path: string,
    options: {
      body?: unknown;
      raw?: string;
      headers?: Record<string, string>;
      token?: string | null;
    } = {},
  ): Promise<Reply<T>> {
    const headers: Record<string, string> = { ...options.headers };
    const token = options.token === null ? undefined : (options.token ?? this.token);
    if (token) headers.authorization = `Bearer ${token}`;
    if (this.cookie) headers.cookie = this.cookie;
    let body: string | undefined;
    if (options.raw !== undefined) body = options.raw;
    else if (options.body !== undefined) body = JSON.stringify(options.body);
    if (body !== undefined) headers['content-type'] ??= 'application/json';
    const res = await fetch(this.base + path, { method, headers, body });
    const setCookie = res.headers.get('set-cookie');
    if (setCookie) {
      const pair = setCookie.split(';')[0]!;
      this.cookie = pair.endsWith('=') ? undefined : pair;
    }
    const text = await res.text();
    let parsed: unknown = undefined;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = text;
    }
    return { status: res.status, headers: res.headers, body: parsed as T, text };
  }

  get<T = any>(path: string, options?: Parameters<TestClient['request']>[2]) {
    return this.request<T>('GET', path, options);
  }
  post<T = any>(path: string, body?: unknown, options?: Parameters<TestClient['request']>[2]) {
    return this.request<T>('POST', path, { ...options, body });
  }
  patch<T = any>(path: string, body?: unknown, options?: Parameters<TestClient['request']>[2]) {
    return this.request<T>('PATCH', path, { ...options, body });
  }
  delete<T = any>(path: string, options?: Parameters<TestClient['request']>[2]) {
    return this.request<T>('DELETE', path, options);
  }

  /** Signs up and keeps the access token and refresh cookie. */
  async signUp(email: string, name = 'Test Person', password = 'correct horse battery') {
    const res = await this.post<{ user: { id: string; role: string }; accessToken: string }>(
      '/v1/auth/register',
      {
        email,
        password,
        name,
      },
    );
    if (res.status !== 201) throw new Error(`sign-up failed: ${res.status} ${res.text}`);
    this.token = res.body.accessToken;
    return res.body.user;
  }
}

let counter = 0;
export const uniqueEmail = (prefix = 'person') =>
  `${prefix}-${Date.now()}-${++counter}@example.com`;

export const futureEvent = (overrides: Record<string, unknown> = {}) => {
  const start = new Date(Date.now() + 7 * 86_400_000);
  return {
    title: 'Jazz by the river',
    description: 'Live jazz on the terrace.',
    category: 'music',
    tags: ['jazz', 'live'],
    startsAt: start.toISOString(),
    endsAt: new Date(start.getTime() + 3 * 3_600_000).toISOString(),
    venue: { name: 'Blue Room', city: 'Lyon', lat: 45.76, lon: 4.83 },
    capacity: 50,
    ...overrides,
  };
};
