import { useEffect } from 'react';
import { Link, useParams } from 'react-router';
import { isNotFound } from '../api/api-error.js';
import { useSession, useTracker } from '../app/services.js';
import { Page } from '../ui/page.js';
import { formatRange, seatsText } from '../ui/format.js';
import { ErrorState, Loading } from '../ui/states.js';
import {
  useEvent,
  useMyRegistration,
  useRegistrationMutations,
  useSimilar,
} from './event.queries.js';
import { RecommendedList } from './recommended-list.js';
import { RegistrationPanel } from './registration-panel.js';
import { useLiveCapacity, type LiveStatus } from './use-live-capacity.js';

const liveText: Record<LiveStatus, string> = {
  connecting: 'Connecting to live updates…',
  live: 'Live',
  reconnecting: 'Reconnecting…',
  unavailable: 'Live updates unavailable',
};

export function EventPage() {
  const { id = '' } = useParams();
  const session = useSession();
  const tracker = useTracker();
  const event = useEvent(id);
  const mine = useMyRegistration(id);
  const { register, cancel } = useRegistrationMutations(id);
  const live = useLiveCapacity(id, event.data?.status === 'published');
  const similar = useSimilar(id);

  const loaded = event.data !== undefined;
  useEffect(() => {
    if (loaded) tracker.record({ type: 'view', eventId: id, surface: 'event' });
  }, [id, loaded, tracker]);

  if (event.isPending) return <Loading label="Loading the event…" />;
  if (event.isError) {
    return (
      <Page title={isNotFound(event.error) ? 'Event not found' : 'Event unavailable'}>
        {isNotFound(event.error) ? (
          <p>
            This event does not exist or is not published. <Link to="/">Discover other events</Link>
            .
          </p>
        ) : (
          <ErrorState error={event.error} retry={() => void event.refetch()} />
        )}
      </Page>
    );
  }
  const e = event.data;
  const signedIn = session.status === 'signed-in';
  const isOrganizer = signedIn && session.user.id === e.organizerId;
  const mutationError = register.error ?? cancel.error;
  return (
    <Page title={e.title} className="event-page">
      <p className="event-meta">
        <span className="chip">{e.category}</span>
        {e.tags.map((t) => (
          <span key={t} className="tag">
            #{t}
          </span>
        ))}
      </p>
      <div className="event-layout">
        <div className="event-details">
          <dl className="facts">
            <dt>When</dt>
            <dd>
              <time dateTime={e.startsAt}>{formatRange(e.startsAt, e.endsAt)}</time>
            </dd>
            <dt>Where</dt>
            <dd>
              {e.venue.name}, {e.venue.city}
            </dd>
          </dl>
          <p className="description">{e.description || 'No description.'}</p>
          {isOrganizer && (
            <p>
              <Link to={`/organizer/events/${e.id}`}>Manage this event</Link>
            </p>
          )}
        </div>
        <aside className="event-aside" aria-label="Seats and registration">
          <div className="capacity" aria-live="polite" data-testid="capacity">
            <p className="capacity-figure">{seatsText(e)}</p>
            <p className="capacity-detail">
              {e.confirmedCount} confirmed · {e.waitlistCount} on the waitlist · {e.capacity} seats
            </p>
          </div>
          {e.status === 'published' && (
            <p className={`live live-${live}`}>
              <span className="live-dot" aria-hidden="true" /> {liveText[live]}
            </p>
          )}
          <RegistrationPanel
            event={e}
            signedIn={signedIn}
            registration={signedIn ? mine.data : null}
            pending={register.isPending || cancel.isPending}
            error={mutationError}
            onRegister={() => {
              cancel.reset();
              register.mutate();
            }}
            onCancel={() => {
              register.reset();
              cancel.mutate();
            }}
          />
        </aside>
      </div>
      <section aria-labelledby="similar-heading" className="section">
        <h2 id="similar-heading">Similar events</h2>
        <RecommendedList
          query={similar}
          surface="similar"
          empty="Nothing similar coming up."
          showReasons={false}
        />
      </section>
    </Page>
  );
}
