import { sql, type Kysely } from 'kysely';

/**
 * Accounts, events, registrations, the transactional outbox and idempotency keys.
 *
 * Invariants the database enforces (not process memory): one active registration per person
 * per event; confirmed_count never above capacity; counts never negative.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE users (
      id uuid PRIMARY KEY,
      email text NOT NULL UNIQUE CHECK (email = lower(email)),
      name text NOT NULL,
      password_hash text NOT NULL,
      role text NOT NULL DEFAULT 'user' CHECK (role IN ('user', 'admin')),
      created_at timestamptz NOT NULL DEFAULT now()
    );

    -- Refresh tokens are opaque; only their SHA-256 is stored. A family is one login session:
    -- every rotation adds a token to it, and reuse of a rotated token revokes the family.
    CREATE TABLE refresh_tokens (
      id uuid PRIMARY KEY,
      family_id uuid NOT NULL,
      user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
      token_hash bytea NOT NULL UNIQUE,
      created_at timestamptz NOT NULL DEFAULT now(),
      idle_expires_at timestamptz NOT NULL,
      family_expires_at timestamptz NOT NULL,
      rotated_at timestamptz,
      revoked_at timestamptz
    );
    CREATE INDEX refresh_tokens_family ON refresh_tokens (family_id);

    CREATE TABLE events (
      id uuid PRIMARY KEY,
      organizer_id uuid NOT NULL REFERENCES users (id),
      title text NOT NULL,
      description text NOT NULL DEFAULT '',
      category text NOT NULL,
      tags text[] NOT NULL DEFAULT '{}',
      starts_at timestamptz NOT NULL,
      ends_at timestamptz NOT NULL,
      venue_name text NOT NULL,
      city text NOT NULL,
      lat double precision NOT NULL,
      lon double precision NOT NULL,
      capacity integer NOT NULL CHECK (capacity > 0),
      confirmed_count integer NOT NULL DEFAULT 0 CHECK (confirmed_count >= 0),
      waitlist_count integer NOT NULL DEFAULT 0 CHECK (waitlist_count >= 0),
      status text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'published', 'cancelled')),
      revision integer NOT NULL DEFAULT 1,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      published_at timestamptz,
      CONSTRAINT events_not_overbooked CHECK (confirmed_count <= capacity),
      CONSTRAINT events_ends_after_start CHECK (ends_at > starts_at)
    );
    -- Public listing: published, upcoming, in start order (keyset on starts_at, id).
    CREATE INDEX events_published_by_start ON events (starts_at, id) WHERE status = 'published';
    CREATE INDEX events_by_organizer ON events (organizer_id, created_at DESC, id DESC);

    -- Waitlist order is waitlist_seq (FIFO); a position is the rank among the waitlisted, so
    -- positions are contiguous by construction.
    CREATE SEQUENCE registrations_waitlist_seq;
    CREATE TABLE registrations (
      id uuid PRIMARY KEY,
      event_id uuid NOT NULL REFERENCES events (id),
      user_id uuid NOT NULL REFERENCES users (id),
      status text NOT NULL CHECK (status IN ('confirmed', 'waitlisted', 'cancelled')),
      waitlist_seq bigint,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      CHECK ((status = 'waitlisted') = (waitlist_seq IS NOT NULL))
    );
    CREATE UNIQUE INDEX registrations_one_active_per_person
      ON registrations (event_id, user_id) WHERE status <> 'cancelled';
    CREATE INDEX registrations_waitlist ON registrations (event_id, waitlist_seq)
      WHERE status = 'waitlisted';
    CREATE INDEX registrations_confirmed ON registrations (event_id, created_at, id)
      WHERE status = 'confirmed';
    CREATE INDEX registrations_by_user ON registrations (user_id, created_at DESC);

    -- Transactional outbox: each state change writes its domain message in the same
    -- transaction; the relay publishes in seq order and marks rows after the broker's ack.
    CREATE TABLE outbox (
      seq bigserial PRIMARY KEY,
      id uuid NOT NULL UNIQUE,
      aggregate_id uuid NOT NULL,
      subject text NOT NULL,
      message jsonb NOT NULL,
      headers jsonb NOT NULL DEFAULT '{}',
      created_at timestamptz NOT NULL DEFAULT now(),
      published_at timestamptz
    );
    CREATE INDEX outbox_unpublished ON outbox (seq) WHERE published_at IS NULL;

    -- Idempotency-Key records, scoped to the caller, kept at least 24 h.
    CREATE TABLE idempotency_keys (
      scope text NOT NULL,
      key text NOT NULL,
      fingerprint bytea NOT NULL,
      state text NOT NULL CHECK (state IN ('running', 'done')),
      response_status integer,
      response_headers jsonb,
      response_body bytea,
      created_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (scope, key)
    );
    CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    DROP TABLE idempotency_keys, outbox, registrations, events, refresh_tokens, users;
    DROP SEQUENCE registrations_waitlist_seq;
  `.execute(db);
}
