import { createPgliteDatabase, migrateToLatest } from '@platform/kit/sql';
import { describe, expect, it } from 'vitest';
import { migrations } from './index.js';

describe('migrations', () => {
  it('apply on an empty database, once, and enforce the registration invariants', async () => {
    const db = await createPgliteDatabase();
    expect(await migrateToLatest(db, migrations)).toEqual(Object.keys(migrations));
    expect(await migrateToLatest(db, migrations)).toEqual([]);

    const user = '0192f1d2-7c3a-7b11-8a3e-000000000001';
    const event = '0192f1d2-7c3a-7b11-8a3e-000000000002';
    await db.query(
      `INSERT INTO users (id, email, name, password_hash) VALUES ($1, 'a@x.io', 'A', 'h')`,
      [user],
    );
    await db.query(
      `INSERT INTO events (id, organizer_id, title, category, starts_at, ends_at, venue_name, city, lat, lon, capacity)
       VALUES ($1, $2, 'T', 'music', now() + interval '1 day', now() + interval '2 days', 'V', 'Lyon', 45, 4, 1)`,
      [event, user],
    );
    await expect(
      db.query(`UPDATE events SET confirmed_count = 2 WHERE id = $1`, [event]),
    ).rejects.toMatchObject({
      code: '23514',
    });
    await db.query(
      `INSERT INTO registrations (id, event_id, user_id, status) VALUES ('0192f1d2-7c3a-7b11-8a3e-000000000003', $1, $2, 'confirmed')`,
      [event, user],
    );
    await expect(
      db.query(
        `INSERT INTO registrations (id, event_id, user_id, status) VALUES ('0192f1d2-7c3a-7b11-8a3e-000000000004', $1, $2, 'confirmed')`,
        [event, user],
      ),
    ).rejects.toMatchObject({ code: '23505' });
    await db.close();
  });
});
