import type { Event, Registration } from '@platform/contracts';
import type { ReactNode } from 'react';
import { useEffect, useRef, useState } from 'react';
import { Link } from 'react-router';
import { errorMessage } from '../api/api-error.js';

export interface RegistrationPanelProps {
  event: Pick<
    Event,
    'id' | 'status' | 'startsAt' | 'capacity' | 'confirmedCount' | 'waitlistCount'
  >;
  signedIn: boolean;
  /** undefined while loading; null when not registered. */
  registration: Registration | null | undefined;
  pending: boolean;
  error?: unknown;
  onRegister: () => void;
  onCancel: () => void;
  now?: () => Date;
}

/** What can be done about one event, and what the last action did: a small state machine. */
export function RegistrationPanel(props: RegistrationPanelProps) {
  const { event, registration, pending } = props;
  const announcement = useAnnouncement(registration);

  let body: ReactNode;
  if (event.status === 'cancelled') {
    body = <p className="badge badge-danger">This event was cancelled.</p>;
  } else if (event.status === 'draft') {
    body = <p className="badge">Not published yet: nobody can register.</p>;
  } else if (new Date(event.startsAt) <= (props.now?.() ?? new Date())) {
    body = <p className="badge">Registration is closed: the event has started.</p>;
  } else if (!props.signedIn) {
    body = (
      <p>
        <Link className="button" to={`/login?next=${encodeURIComponent(`/events/${event.id}`)}`}>
          Log in to register
        </Link>
      </p>
    );
  } else if (registration === undefined) {
    body = <p role="status">Checking your registration…</p>;
  } else if (registration === null) {
    const full = event.confirmedCount >= event.capacity || event.waitlistCount > 0;
    body = (
      <button
        type="button"
        className="button primary"
        onClick={props.onRegister}
        disabled={pending}
      >
        {pending ? 'Registering…' : full ? 'Join waitlist' : 'Register'}
      </button>
    );
  } else {
    const confirmed = registration.status === 'confirmed';
    body = (
      <>
        <p
          className={confirmed ? 'badge badge-success' : 'badge badge-warning'}
          data-testid="registration-status"
        >
          {confirmed
            ? "You're registered: your seat is confirmed."
            : `You're on the waitlist, position ${registration.position ?? '?'}.`}
        </p>
        <button
          type="button"
          className="button secondary"
          onClick={props.onCancel}
          disabled={pending}
        >
          {pending ? 'Cancelling…' : confirmed ? 'Cancel registration' : 'Leave waitlist'}
        </button>
      </>
    );
  }

  return (
    <section className="registration-panel" aria-labelledby="registration-heading">
      <h2 id="registration-heading" className="visually-hidden">
        Registration
      </h2>
      {body}
      {props.error !== undefined && props.error !== null && (
        <p className="field-error" role="alert">
          {errorMessage(props.error)}
        </p>
      )}
      <p className="visually-hidden" role="status" aria-live="polite">
        {announcement}
      </p>
    </section>
  );
}

/** A sentence for screen readers when my registration changes (including a live promotion). */
function useAnnouncement(registration: Registration | null | undefined): string {
  const previous = useRef(registration);
  const [text, setText] = useState('');
  useEffect(() => {
    const before = previous.current;
    previous.current = registration;
    if (before === undefined || registration === undefined) return;
    const was = before?.status ?? 'none';
    const is = registration?.status ?? 'none';
    if (was === is && before?.position === registration?.position) return;
    if (is === 'confirmed')
      setText(
        was === 'waitlisted' ? 'A seat freed up: you are now registered.' : 'You are registered.',
      );
    else if (is === 'waitlisted')
      setText(`You are on the waitlist, position ${registration?.position ?? '?'}.`);
    else setText('Your registration was cancelled.');
  }, [registration]);
  return text;
}
