import type { RegistrationWithEvent } from '@platform/contracts';
import type { ReactNode } from 'react';
import { Link, useSearchParams } from 'react-router';
import { useCursorPages } from '../api/use-cursor-pages.js';
import { formatDateTime } from '../ui/format.js';
import { LoadMore } from '../ui/load-more.js';
import { Page } from '../ui/page.js';
import { Empty, ErrorState, Loading } from '../ui/states.js';

type When = 'upcoming' | 'past';

export function MyRegistrationsPage() {
  const [params] = useSearchParams();
  const when: When = params.get('when') === 'past' ? 'past' : 'upcoming';
  const list = useCursorPages<RegistrationWithEvent>(
    ['registrations', 'list', when],
    '/v1/me/registrations',
    { when, limit: 20 },
  );

  const tab = (value: When, label: string) => (
    <Link
      to={value === 'past' ? '?when=past' : '?'}
      aria-current={when === value ? 'page' : undefined}
      className={when === value ? 'tab active' : 'tab'}
    >
      {label}
    </Link>
  );

  let content: ReactNode;
  if (list.isPending) content = <Loading label="Loading your registrations…" />;
  else if (list.isError)
    content = <ErrorState error={list.error} retry={() => void list.refetch()} />;
  else {
    const items = list.data.items;
    content =
      items.length === 0 ? (
        <Empty>
          {when === 'upcoming' ? (
            <>
              Nothing coming up. <Link to="/">Discover events</Link>.
            </>
          ) : (
            'No past events yet.'
          )}
        </Empty>
      ) : (
        <>
          <ul className="rows">
            {items.map((r) => (
              <li key={r.id} className="row">
                <div>
                  <Link to={`/events/${r.event.id}`} className="row-title">
                    {r.event.title}
                  </Link>
                  <p className="muted">
                    <time dateTime={r.event.startsAt}>{formatDateTime(r.event.startsAt)}</time> ·{' '}
                    {r.event.city}
                  </p>
                </div>
                <p>
                  {r.event.status === 'cancelled' ? (
                    <span className="badge badge-danger">Event cancelled</span>
                  ) : r.status === 'confirmed' ? (
                    <span className="badge badge-success">Confirmed</span>
                  ) : (
                    <span className="badge badge-warning">Waitlist #{r.position}</span>
                  )}
                </p>
              </li>
            ))}
          </ul>
          <LoadMore list={list} />
        </>
      );
  }

  return (
    <Page title="My registrations">
      <nav aria-label="Upcoming or past" className="tabs">
        {tab('upcoming', 'Upcoming')}
        {tab('past', 'Past')}
      </nav>
      {content}
    </Page>
  );
}
