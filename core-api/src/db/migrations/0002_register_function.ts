import { sql, type Kysely } from 'kysely';

/**
 * Registration as one server-side function taking a batch of people for one event. The event's
 * row lock is the bottleneck of a ticket drop: this takes it once per batch and holds it only for
 * the function's own work and one commit, not for client round trips (eight per person before;
 * see bench/README.md for what each step bought). People are handled in array order, with the
 * same lock order as everywhere: the event row first, then its registrations. `lock_timeout` is
 * set on the function, so a call waits at most 3 s for the lock.
 *
 * o_outcome per person: confirmed | waitlisted | existing | not-found | event-draft |
 * event-cancelled | event-started. The outbox messages it writes are checked against the zod
 * schemas in the tests.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE FUNCTION register_for_event(
      p_event_id uuid,
      p_user_ids uuid[],
      p_is_admin boolean[],
      p_registration_ids uuid[],
      p_message_ids uuid[],
      p_now timestamptz,
      p_headers jsonb
    )
    RETURNS TABLE (
      o_index integer,
      o_outcome text,
      o_registration_id uuid,
      o_status text,
      o_position integer,
      o_created_at timestamptz,
      o_updated_at timestamptz
    )
    LANGUAGE plpgsql
    SET lock_timeout = '3s'
    AS $fn$
    DECLARE
      e events%ROWTYPE;
      r registrations%ROWTYPE;
      i integer;
      v_closed text;
      v_confirmed boolean;
      v_type text;
      v_position integer;
    BEGIN
      -- Lock order, step 1: the event row.
      SELECT * INTO e FROM events WHERE id = p_event_id FOR UPDATE;
      IF FOUND AND e.status <> 'published' THEN
        v_closed := 'event-' || e.status;
      ELSIF FOUND AND e.starts_at <= p_now THEN
        v_closed := 'event-started';
      END IF;

      FOR i IN 1 .. coalesce(array_length(p_user_ids, 1), 0) LOOP
        o_index := i;
        o_registration_id := NULL; o_status := NULL; o_position := NULL;
        o_created_at := NULL; o_updated_at := NULL;
        IF e.id IS NULL
           OR (e.published_at IS NULL AND e.organizer_id <> p_user_ids[i] AND NOT p_is_admin[i]) THEN
          o_outcome := 'not-found';
          RETURN NEXT;
          CONTINUE;
        END IF;
        IF v_closed IS NOT NULL THEN
          o_outcome := v_closed;
          RETURN NEXT;
          CONTINUE;
        END IF;

        -- Step 2: this event's registrations. One active registration per person.
        SELECT * INTO r FROM registrations
          WHERE event_id = p_event_id AND user_id = p_user_ids[i] AND status <> 'cancelled';
        IF FOUND THEN
          v_position := NULL;
          IF r.status = 'waitlisted' THEN
            SELECT count(*)::integer INTO v_position FROM registrations
              WHERE event_id = p_event_id AND status = 'waitlisted' AND waitlist_seq <= r.waitlist_seq;
          END IF;
          o_outcome := 'existing'; o_registration_id := r.id; o_status := r.status;
          o_position := v_position; o_created_at := r.created_at; o_updated_at := r.updated_at;
          RETURN NEXT;
          CONTINUE;
        END IF;

        -- A seat goes to a newcomer only when nobody is waiting for one.
        v_confirmed := e.confirmed_count < e.capacity AND e.waitlist_count = 0;
        v_type := CASE WHEN v_confirmed THEN 'confirmed' ELSE 'waitlisted' END;
        INSERT INTO registrations (id, event_id, user_id, status, waitlist_seq, created_at, updated_at)
          VALUES (p_registration_ids[i], p_event_id, p_user_ids[i], v_type,
                  CASE WHEN v_confirmed THEN NULL ELSE nextval('registrations_waitlist_seq') END, p_now, p_now)
          RETURNING * INTO r;
        UPDATE events SET
            confirmed_count = confirmed_count + v_confirmed::integer,
            waitlist_count = waitlist_count + (NOT v_confirmed)::integer,
            revision = revision + 1,
            updated_at = p_now
          WHERE id = p_event_id
          RETURNING * INTO e;
        v_position := CASE WHEN v_confirmed THEN NULL ELSE e.waitlist_count END;

        INSERT INTO outbox (id, aggregate_id, subject, message, headers) VALUES (
          p_message_ids[i], p_event_id, 'platform.registration.' || v_type,
          jsonb_build_object(
            'id', p_message_ids[i],
            'type', 'registration.' || v_type,
            'version', 1,
            'occurredAt', to_char(p_now AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
            'aggregateId', p_event_id,
            'data', jsonb_build_object(
              'registrationId', r.id,
              'eventId', p_event_id,
              'userId', p_user_ids[i],
              'status', v_type,
              'position', v_position,
              'capacity', e.capacity,
              'confirmedCount', e.confirmed_count,
              'waitlistCount', e.waitlist_count,
              'eventRevision', e.revision
            )
          ),
          p_headers
        );
        o_outcome := v_type; o_registration_id := r.id; o_status := r.status;
        o_position := v_position; o_created_at := r.created_at; o_updated_at := r.updated_at;
        RETURN NEXT;
      END LOOP;
    END
    $fn$;
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP FUNCTION register_for_event(uuid, uuid[], boolean[], uuid[], uuid[], timestamptz, jsonb)`.execute(
    db,
  );
}
