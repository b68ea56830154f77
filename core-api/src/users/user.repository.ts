import type { User } from '@platform/contracts';
import type { Db, Tx } from '../db/db.js';
import type { UsersTable } from '../db/schema.js';
import type { Selectable } from 'kysely';

export type UserRow = Selectable<UsersTable>;

export const toUser = (row: UserRow): User => ({
  id: row.id,
  email: row.email,
  name: row.name,
  role: row.role,
  createdAt: row.created_at.toISOString(),
});

export class UserRepository {
  constructor(private readonly db: Db) {}

  findById(id: string, tx: Db | Tx = this.db): Promise<UserRow | undefined> {
    return tx.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
  }

  findByEmail(email: string, tx: Db | Tx = this.db): Promise<UserRow | undefined> {
    return tx.selectFrom('users').selectAll().where('email', '=', email).executeTakeFirst();
  }

  insert(row: Omit<UserRow, 'created_at'>, tx: Db | Tx = this.db): Promise<UserRow> {
    return tx.insertInto('users').values(row).returningAll().executeTakeFirstOrThrow();
  }

  setRole(id: string, role: UserRow['role'], tx: Db | Tx = this.db): Promise<UserRow> {
    return tx
      .updateTable('users')
      .set({ role })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
  }
}
