import type { User } from '@platform/contracts';
import type { ApiClient } from '../api/api-client.js';

export type SessionState =
  { status: 'restoring' } | { status: 'signed-out' } | { status: 'signed-in'; user: User };

interface AuthResponse {
  user: User;
  accessToken: string;
}

/**
 * Who is signed in. A reload keeps the session: `restore()` trades the HttpOnly refresh cookie
 * for a new access token, then asks who that is. Components read it with `useSession()`.
 */
export class SessionStore {
  private state: SessionState = { status: 'restoring' };
  private readonly listeners = new Set<() => void>();
  private restoring: Promise<void> | undefined;

  constructor(private readonly api: ApiClient) {
    api.onSessionEnded = () => this.set({ status: 'signed-out' });
  }

  get current(): SessionState {
    return this.state;
  }

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  snapshot = (): SessionState => this.state;

  /** Idempotent: React may mount the app twice in development. */
  restore(): Promise<void> {
    this.restoring ??= (async () => {
      try {
        const token = await this.api.refresh();
        if (!token) return this.set({ status: 'signed-out' });
        this.set({ status: 'signed-in', user: await this.api.get<User>('/v1/me') });
      } catch {
        this.api.setToken(undefined);
        this.set({ status: 'signed-out' });
      }
    })();
    return this.restoring;
  }

  async logIn(body: { email: string; password: string }): Promise<User> {
    return this.begin(await this.api.post<AuthResponse>('/v1/auth/login', body));
  }

  async signUp(body: { email: string; password: string; name: string }): Promise<User> {
    return this.begin(await this.api.post<AuthResponse>('/v1/auth/register', body));
  }

  async logOut(): Promise<void> {
    try {
      await this.api.post('/v1/auth/logout');
    } finally {
      this.api.setToken(undefined);
      this.set({ status: 'signed-out' });
    }
  }

  private begin(session: AuthResponse): User {
    this.api.setToken(session.accessToken);
    this.set({ status: 'signed-in', user: session.user });
    return session.user;
  }

  private set(state: SessionState): void {
    this.state = state;
    for (const listener of this.listeners) listener();
  }
}
