import type { ColumnType, Generated } from 'kysely';

/** Row types for Kysely; columns mirror the migrations. */
type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;

export interface UsersTable {
  id: string;
  email: string;
  name: string;
  password_hash: string;
  role: ColumnType<'user' | 'admin', 'user' | 'admin' | undefined, 'user' | 'admin'>;
  created_at: Timestamp;
}

export interface RefreshTokensTable {
  id: string;
  family_id: string;
  user_id: string;
  token_hash: Buffer;
  created_at: Timestamp;
  idle_expires_at: Timestamp;
  family_expires_at: Timestamp;
  rotated_at: Timestamp | null;
  revoked_at: Timestamp | null;
}

export interface EventsTable {
  id: string;
  organizer_id: string;
  title: string;
  description: string;
  category: string;
  tags: string[];
  starts_at: Timestamp;
  ends_at: Timestamp;
  venue_name: string;
  city: string;
  lat: number;
  lon: number;
  capacity: number;
  confirmed_count: Generated<number>;
  waitlist_count: Generated<number>;
  status: ColumnType<
    'draft' | 'published' | 'cancelled',
    'draft' | undefined,
    'draft' | 'published' | 'cancelled'
  >;
  revision: Generated<number>;
  created_at: Timestamp;
  updated_at: Timestamp;
  published_at: Timestamp | null;
}

export interface RegistrationsTable {
  id: string;
  event_id: string;
  user_id: string;
  status: 'confirmed' | 'waitlisted' | 'cancelled';
  waitlist_seq: ColumnType<number | null, number | null | undefined, number | null>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface OutboxTable {
  seq: Generated<number>;
  id: string;
  aggregate_id: string;
  subject: string;
  message: ColumnType<unknown, string, string>;
  headers: ColumnType<Record<string, string>, string | undefined, string>;
  created_at: Timestamp;
  published_at: Timestamp | null;
}

export interface IdempotencyKeysTable {
  scope: string;
  key: string;
  fingerprint: Buffer;
  state: 'running' | 'done';
  response_status: number | null;
  response_headers: ColumnType<Record<string, string> | null, string | null, string | null>;
  response_body: Buffer | null;
  created_at: Timestamp;
}

export interface Database {
  users: UsersTable;
  refresh_tokens: RefreshTokensTable;
  events: EventsTable;
  registrations: RegistrationsTable;
  outbox: OutboxTable;
  idempotency_keys: IdempotencyKeysTable;
}
