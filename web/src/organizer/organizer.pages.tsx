import type { Attendee, CreateEventBody, Event } from '@platform/contracts';
import type { ReactNode } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { isNotFound } from '../api/api-error.js';
import { useCursorPages } from '../api/use-cursor-pages.js';
import { RequireAuth } from '../auth/auth.pages.js';
import { useApi } from '../app/services.js';
import { eventKeys } from '../events/event.queries.js';
import { formatDateTime } from '../ui/format.js';
import { LoadMore } from '../ui/load-more.js';
import { Page } from '../ui/page.js';
import { Empty, ErrorState, Loading } from '../ui/states.js';
import { EventForm, emptyEventForm, eventToForm, formToBody } from './event-form.js';

const statusBadge: Record<Event['status'], string> = {
  draft: 'badge',
  published: 'badge badge-success',
  cancelled: 'badge badge-danger',
};

/** `/organizer`: the events I organize, in any state. */
function MyEventsPage() {
  const list = useCursorPages<Event>(['organizer', 'events'], '/v1/me/events', { limit: 20 });
  let content;
  if (list.isPending) content = <Loading label="Loading your events…" />;
  else if (list.isError)
    content = <ErrorState error={list.error} retry={() => void list.refetch()} />;
  else {
    const events = list.data.items;
    content =
      events.length === 0 ? (
        <Empty>You have not created any events yet.</Empty>
      ) : (
        <ul className="rows">
          {events.map((e) => (
            <li key={e.id} className="row">
              <div>
                <Link to={`/organizer/events/${e.id}`} className="row-title">
                  {e.title}
                </Link>
                <p className="muted">
                  <time dateTime={e.startsAt}>{formatDateTime(e.startsAt)}</time> · {e.venue.city} ·{' '}
                  {e.confirmedCount}/{e.capacity} confirmed, {e.waitlistCount} waiting
                </p>
              </div>
              <span className={statusBadge[e.status]}>{e.status}</span>
            </li>
          ))}
        </ul>
      );
  }
  return (
    <Page title="My events">
      <p>
        <Link to="/organizer/new" className="button primary">
          Create an event
        </Link>
      </p>
      {content}
      <LoadMore list={list} />
    </Page>
  );
}

/** `/organizer/new`: a draft, then its management page. */
function NewEventPage() {
  const api = useApi();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  return (
    <Page title="New event" className="narrow">
      <p className="muted">The event is saved as a draft; publish it when it is ready.</p>
      <EventForm
        initial={emptyEventForm}
        submitLabel="Create draft"
        onSubmit={async (body) => {
          const created = await api.post<Event>('/v1/events', body);
          queryClient.setQueryData(eventKeys.one(created.id), created);
          void queryClient.invalidateQueries({ queryKey: ['organizer', 'events'] });
          navigate(`/organizer/events/${created.id}`, { state: { created: true } });
        }}
      />
    </Page>
  );
}

/** Only the fields that changed, as PATCH wants them. */
function changes(before: CreateEventBody, after: CreateEventBody): Partial<CreateEventBody> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(after) as (keyof CreateEventBody)[]) {
    if (JSON.stringify(before[key]) !== JSON.stringify(after[key])) out[key] = after[key];
  }
  return out as Partial<CreateEventBody>;
}

/** `/organizer/events/:id`: edit, publish, cancel, attendees. */
function ManageEventPage() {
  const { id = '' } = useParams();
  const api = useApi();
  const queryClient = useQueryClient();
  const [notice, setNotice] = useState<string>();
  const event = useQuery({
    queryKey: ['organizer', 'event', id],
    queryFn: ({ signal }) => api.get<Event>(`/v1/events/${id}`, { signal }),
  });
  const afterChange = (updated: Event, message: string) => {
    queryClient.setQueryData(['organizer', 'event', id], updated);
    void queryClient.invalidateQueries({ queryKey: ['organizer', 'events'] });
    void queryClient.invalidateQueries({ queryKey: eventKeys.one(id) });
    void queryClient.invalidateQueries({ queryKey: ['events', 'list'] });
    setNotice(message);
  };
  const publish = useMutation({
    mutationFn: () => api.post<Event>(`/v1/events/${id}/publish`),
    onSuccess: (e) => afterChange(e, 'Published: people can now find and register for it.'),
  });
  const cancel = useMutation({
    mutationFn: () => api.post<Event>(`/v1/events/${id}/cancel`),
    onSuccess: (e) => afterChange(e, 'Cancelled.'),
  });

  if (event.isPending) return <Loading label="Loading the event…" />;
  if (event.isError)
    return (
      <Page title={isNotFound(event.error) ? 'Event not found' : 'Event unavailable'}>
        <ErrorState error={event.error} retry={() => void event.refetch()} />
      </Page>
    );
  const e = event.data;
  return (
    <Page title={`Manage: ${e.title}`} heading={e.title}>
      <p className="event-meta">
        <span className={statusBadge[e.status]} data-testid="event-status">
          {e.status}
        </span>{' '}
        <Link to={`/events/${e.id}`}>Public page</Link>
      </p>
      <p role="status" className="notice">
        {notice}
      </p>
      <div className="actions">
        {e.status === 'draft' && (
          <button
            type="button"
            className="button primary"
            disabled={publish.isPending}
            onClick={() => publish.mutate()}
          >
            {publish.isPending ? 'Publishing…' : 'Publish'}
          </button>
        )}
        {e.status !== 'cancelled' && (
          <button
            type="button"
            className="button danger"
            disabled={cancel.isPending}
            onClick={() => {
              if (
                window.confirm(`Cancel “${e.title}”? Everyone registered will see it is cancelled.`)
              )
                cancel.mutate();
            }}
          >
            Cancel event
          </button>
        )}
      </div>
      {(publish.error || cancel.error) && (
        <ErrorState error={publish.error ?? cancel.error} title="That did not work" />
      )}
      {e.status !== 'cancelled' && (
        <section aria-labelledby="edit-heading" className="section">
          <h2 id="edit-heading">Details</h2>
          <EventForm
            key={e.revision}
            initial={eventToForm(e)}
            submitLabel="Save changes"
            onSubmit={async (body) => {
              const diff = changes(formToBody(eventToForm(e)), body);
              if (Object.keys(diff).length === 0) return setNotice('Nothing changed.');
              afterChange(await api.patch<Event>(`/v1/events/${id}`, diff), 'Saved.');
            }}
          />
        </section>
      )}
      <Attendees eventId={id} />
    </Page>
  );
}

function Attendees({ eventId }: { eventId: string }) {
  const [status, setStatus] = useState<'confirmed' | 'waitlisted'>('confirmed');
  const list = useCursorPages<Attendee>(
    ['organizer', 'attendees', eventId, status],
    `/v1/events/${eventId}/attendees`,
    { status, limit: 50 },
  );
  const rows = list.data?.items ?? [];
  return (
    <section aria-labelledby="attendees-heading" className="section">
      <h2 id="attendees-heading">Attendees</h2>
      <fieldset className="segmented">
        <legend className="visually-hidden">Show</legend>
        {(['confirmed', 'waitlisted'] as const).map((s) => (
          <label key={s}>
            <input
              type="radio"
              name="attendee-status"
              checked={status === s}
              onChange={() => setStatus(s)}
            />
            {s === 'confirmed' ? 'Confirmed' : 'Waitlist'}
          </label>
        ))}
      </fieldset>
      {list.isPending ? (
        <Loading />
      ) : list.isError ? (
        <ErrorState error={list.error} retry={() => void list.refetch()} />
      ) : rows.length === 0 ? (
        <Empty>
          {status === 'confirmed' ? 'Nobody has registered yet.' : 'Nobody is waiting.'}
        </Empty>
      ) : (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                {status === 'waitlisted' && <th scope="col">Position</th>}
                <th scope="col">Name</th>
                <th scope="col">Email</th>
                <th scope="col">Registered</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((a) => (
                <tr key={a.registrationId}>
                  {status === 'waitlisted' && <td>{a.position}</td>}
                  <td>{a.user.name}</td>
                  <td>{a.user.email}</td>
                  <td>{formatDateTime(a.registeredAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <LoadMore list={list} label="More attendees" />
    </section>
  );
}

const guarded = (Page: () => ReactNode) =>
  function Guarded() {
    return (
      <RequireAuth>
        <Page />
      </RequireAuth>
    );
  };

export const OrganizerEventsRoute = guarded(MyEventsPage);
export const NewEventRoute = guarded(NewEventPage);
export const ManageEventRoute = guarded(ManageEventPage);
