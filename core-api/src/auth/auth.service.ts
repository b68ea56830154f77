import type { User } from '@platform/contracts';
import { ConflictError, newId, NotFoundError, UnauthorizedError } from '@platform/kit';
import { SqlError, sqlState } from '@platform/kit/sql';
import { inTransaction, type Db, type Tx } from '../db/db.js';
import { toUser, UserRepository, type UserRow } from '../users/user.repository.js';
import { dummyHash, hashPassword, verifyPassword } from './password.js';
import { hashRefreshToken, newRefreshToken, type AccessTokens } from './tokens.js';

/** A login session lives at most 30 days, and ends after 14 days without a refresh. */
export const REFRESH_IDLE_SECONDS = 14 * 24 * 3600;
export const REFRESH_ABSOLUTE_SECONDS = 30 * 24 * 3600;

export interface Session {
  user: User;
  accessToken: string;
  refreshToken: string;
}

export interface AuthServiceDeps {
  db: Db;
  tokens: AccessTokens;
  adminEmails: readonly string[];
  now?: () => Date;
}

export class AuthService {
  private readonly users: UserRepository;
  private readonly adminEmails: Set<string>;
  private readonly now: () => Date;

  constructor(private readonly deps: AuthServiceDeps) {
    this.users = new UserRepository(deps.db);
    this.adminEmails = new Set(deps.adminEmails.map((e) => e.trim().toLowerCase()));
    this.now = deps.now ?? (() => new Date());
  }

  async register(input: { email: string; password: string; name: string }): Promise<Session> {
    const passwordHash = await hashPassword(input.password);
    try {
      return await inTransaction(this.deps.db, async (tx) => {
        const row = await this.users.insert(
          {
            id: newId(),
            email: input.email,
            name: input.name,
            password_hash: passwordHash,
            role: this.adminEmails.has(input.email) ? 'admin' : 'user',
          },
          tx,
        );
        return this.openSession(row, tx);
      });
    } catch (error) {
      if (error instanceof SqlError && error.code === sqlState.uniqueViolation) {
        throw new ConflictError('An account with this email already exists', 'email-taken');
      }
      throw error;
    }
  }

  async login(input: { email: string; password: string }): Promise<Session> {
    let row = await this.users.findByEmail(input.email);
    // Verify against a dummy hash for unknown emails: same cost, so timing tells nothing.
    const ok = await verifyPassword(row?.password_hash ?? (await dummyHash), input.password);
    if (!row || !ok) throw new UnauthorizedError('Email or password is wrong');
    if (row.role !== 'admin' && this.adminEmails.has(row.email))
      row = await this.users.setRole(row.id, 'admin');
    const user = row;
    return inTransaction(this.deps.db, (tx) => this.openSession(user, tx));
  }

  /**
   * Rotates a refresh token: the presented one is spent and a new one of the same family is
   * issued. Presenting a spent or revoked token is reuse (RFC 9700 4.14.2): the whole family is
   * revoked, so a stolen token dies with the legitimate one.
   */
  async refresh(presented: string | undefined): Promise<Session> {
    if (!presented) throw new UnauthorizedError('No refresh token');
    const outcome = await inTransaction(this.deps.db, async (tx) => {
      const token = await tx
        .selectFrom('refresh_tokens')
        .selectAll()
        .where('token_hash', '=', hashRefreshToken(presented))
        .forUpdate()
        .executeTakeFirst();
      if (!token) return { error: 'Refresh token is not valid' } as const;
      const now = this.now();
      if (token.rotated_at || token.revoked_at) {
        await this.revokeFamily(token.family_id, tx);
        return { error: 'Refresh token was already used; the session has been revoked' } as const;
      }
      if (token.idle_expires_at <= now || token.family_expires_at <= now) {
        return { error: 'Refresh token has expired' } as const;
      }
      await tx
        .updateTable('refresh_tokens')
        .set({ rotated_at: now })
        .where('id', '=', token.id)
        .execute();
      const user = await this.users.findById(token.user_id, tx);
      if (!user) return { error: 'Account no longer exists' } as const;
      return {
        session: await this.issue(user, token.family_id, token.family_expires_at, tx),
      } as const;
    });
    if ('error' in outcome) throw new UnauthorizedError(outcome.error);
    return outcome.session;
  }

  /** Ends the session the refresh token belongs to. Unknown tokens are ignored. */
  async logout(presented: string | undefined): Promise<void> {
    if (!presented) return;
    await inTransaction(this.deps.db, async (tx) => {
      const token = await tx
        .selectFrom('refresh_tokens')
        .select(['family_id'])
        .where('token_hash', '=', hashRefreshToken(presented))
        .executeTakeFirst();
      if (token) await this.revokeFamily(token.family_id, tx);
    });
  }

  async me(userId: string): Promise<User> {
    const row = await this.users.findById(userId);
    if (!row) throw new NotFoundError('Account no longer exists');
    return toUser(row);
  }

  private openSession(user: UserRow, tx: Tx): Promise<Session> {
    const familyExpiresAt = new Date(this.now().getTime() + REFRESH_ABSOLUTE_SECONDS * 1000);
    return this.issue(user, newId(), familyExpiresAt, tx);
  }

  private async issue(
    user: UserRow,
    familyId: string,
    familyExpiresAt: Date,
    tx: Tx,
  ): Promise<Session> {
    const refreshToken = newRefreshToken();
    const now = this.now();
    await tx
      .insertInto('refresh_tokens')
      .values({
        id: newId(),
        family_id: familyId,
        user_id: user.id,
        token_hash: hashRefreshToken(refreshToken),
        created_at: now,
        idle_expires_at: new Date(
          Math.min(now.getTime() + REFRESH_IDLE_SECONDS * 1000, familyExpiresAt.getTime()),
        ),
        family_expires_at: familyExpiresAt,
      })
      .execute();
    const accessToken = await this.deps.tokens.sign(
      { id: user.id, role: user.role },
      now.getTime(),
    );
    return { user: toUser(user), accessToken, refreshToken };
  }

  private async revokeFamily(familyId: string, tx: Tx): Promise<void> {
    await tx
      .updateTable('refresh_tokens')
      .set({ revoked_at: this.now() })
      .where('family_id', '=', familyId)
      .where('revoked_at', 'is', null)
      .execute();
  }
}
