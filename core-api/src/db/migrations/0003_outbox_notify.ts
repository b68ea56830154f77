import { sql, type Kysely } from 'kysely';

/**
 * Wakes the outbox relay without polling: one NOTIFY per inserting statement (PostgreSQL folds
 * identical notifications of one transaction into one), delivered at commit.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE FUNCTION outbox_notify() RETURNS trigger LANGUAGE plpgsql AS $fn$
    BEGIN
      PERFORM pg_notify('outbox', '');
      RETURN NULL;
    END
    $fn$;
    CREATE TRIGGER outbox_notify AFTER INSERT ON outbox FOR EACH STATEMENT EXECUTE FUNCTION outbox_notify();
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TRIGGER outbox_notify ON outbox; DROP FUNCTION outbox_notify();`.execute(db);
}
