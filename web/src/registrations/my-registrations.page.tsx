import type { RegistrationWithEvent } from '@platform/contracts';
import type { ReactNode } from 'react';
import { useInfiniteQuery } from '@tanstack/react-query';
import { Link, useSearchParams } from 'react-router';
import { useApi } from '../app/services.js';
import type { Page as ApiPage } from '../events/event.queries.js';
import { formatDateTime } from '../ui/format.js';
import { Page } from '../ui/page.js';
import { Empty, ErrorState, Loading } from '../ui/states.js';

type When = 'upcoming' | 'past';

export function MyRegistrationsPage() {
  const [params] = useSearchParams();
  const when: When = params.get('when') === 'past' ? 'past' : 'upcoming';
  const api = useApi();
  const list = useInfiniteQuery({
    queryKey: ['registrations', 'list', when],
    queryFn: ({ pageParam, signal }) =>
      api.get<ApiPage<RegistrationWithEvent>>('/v1/me/registrations', {
        query: { when, cursor: pageParam, limit: 20 },
        signal,
      }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });

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
    const items = list.data.pages.flatMap((p) => p.items);
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
          {list.hasNextPage && (
            <button type="button" className="button secondary" onClick={() => void list.fetchNextPage()}>
              {list.isFetchingNextPage ? 'Loading…' : 'Load more'}
            </button>
          )}
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
