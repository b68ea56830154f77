import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { useSearchParams } from 'react-router';
import { useSession } from '../app/services.js';
import { EventCard } from '../events/event-card.js';
import {
  useEventList,
  useRecommendations,
  useTrending,
  type EventFilters,
} from '../events/event.queries.js';
import { RecommendedList } from '../events/recommended-list.js';
import { fromLocalInput } from '../ui/format.js';
import { LoadMore } from '../ui/load-more.js';
import { Page } from '../ui/page.js';
import { Empty, ErrorState, Loading } from '../ui/states.js';

const CITY_KEY = 'events-platform-city';

/** Filters live in the URL (`?category=&city=&from=&to=`), so a filtered view can be shared. */
function useFilters(): [EventFilters, (next: EventFilters) => void] {
  const [params, setParams] = useSearchParams();
  const filters: EventFilters = {
    category: params.get('category') ?? undefined,
    city: params.get('city') ?? undefined,
    from: params.get('from') ?? undefined,
    to: params.get('to') ?? undefined,
  };
  const set = (next: EventFilters) => {
    const p = new URLSearchParams();
    for (const [k, v] of Object.entries(next)) if (v) p.set(k, v);
    setParams(p);
    if (next.city) localStorage.setItem(CITY_KEY, next.city);
  };
  return [filters, set];
}

export function DiscoverPage() {
  const session = useSession();
  const [filters, setFilters] = useFilters();
  // "Near me": the city filter, or the last city this browser chose.
  const nearCity = filters.city ?? localStorage.getItem(CITY_KEY) ?? undefined;
  const recommendations = useRecommendations(nearCity);
  const trending = useTrending(nearCity, filters.category);
  const name = session.status === 'signed-in' ? session.user.name.split(' ')[0] : undefined;

  return (
    <Page
      title="Discover"
      heading={name ? `Hello ${name}, find something to do` : 'Find something to do'}
    >
      <section aria-labelledby="recommended-heading" className="section">
        <h2 id="recommended-heading">Recommended for you</h2>
        {recommendations.data?.strategy === 'trending' ? (
          // The model does not know this person yet: its list would repeat "Trending" below.
          <Empty>
            {session.status === 'signed-in'
              ? 'Register for a few events and recommendations of your own will show here. Until then, see what is trending.'
              : 'Sign up and register for a few events to get recommendations of your own. Until then, see what is trending.'}
          </Empty>
        ) : (
          <RecommendedList
            query={recommendations}
            surface="recommendations"
            empty="No recommendations yet: register for a few events and we will learn what you like."
          />
        )}
      </section>
      <section aria-labelledby="trending-heading" className="section">
        <h2 id="trending-heading">{nearCity ? `Trending in ${nearCity}` : 'Trending'}</h2>
        <RecommendedList
          query={trending}
          surface="trending"
          empty="Nothing is trending here yet."
        />
      </section>
      <section aria-labelledby="all-heading" className="section">
        <h2 id="all-heading">Upcoming events</h2>
        <FilterForm key={JSON.stringify(filters)} filters={filters} onChange={setFilters} />
        <EventList filters={filters} />
      </section>
    </Page>
  );
}

function FilterForm({
  filters,
  onChange,
}: {
  filters: EventFilters;
  onChange: (f: EventFilters) => void;
}) {
  const id = useId();
  const [draft, setDraft] = useState({
    category: filters.category ?? '',
    city: filters.city ?? '',
    from: filters.from?.slice(0, 10) ?? '',
    to: filters.to?.slice(0, 10) ?? '',
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    onChange({
      category: draft.category.trim().toLowerCase() || undefined,
      city: draft.city.trim() || undefined,
      from: fromLocalInput(draft.from ? `${draft.from}T00:00` : ''),
      // The whole "to" day is included.
      to: fromLocalInput(draft.to ? `${draft.to}T23:59` : ''),
    });
  };
  const field = (key: keyof typeof draft, label: string, type = 'text') => (
    <div className="field">
      <label htmlFor={`${id}-${key}`}>{label}</label>
      <input
        id={`${id}-${key}`}
        type={type}
        value={draft[key]}
        onChange={(e) => setDraft({ ...draft, [key]: e.target.value })}
      />
    </div>
  );
  return (
    <form className="filters" onSubmit={submit} aria-label="Filter events">
      {field('category', 'Category')}
      {field('city', 'City')}
      {field('from', 'From', 'date')}
      {field('to', 'To', 'date')}
      <div className="filter-actions">
        <button type="submit" className="button primary">
          Apply
        </button>
        <button
          type="button"
          className="button secondary"
          onClick={() => {
            setDraft({ category: '', city: '', from: '', to: '' });
            onChange({});
          }}
        >
          Clear
        </button>
      </div>
    </form>
  );
}

/** Pages of `GET /v1/events`, the next one loaded as the end of the list scrolls into view. */
function EventList({ filters }: { filters: EventFilters }) {
  const list = useEventList(filters);
  const sentinel = useRef<HTMLDivElement>(null);
  const { hasNextPage, isFetchingNextPage, fetchNextPage } = list;
  useEffect(() => {
    const element = sentinel.current;
    if (!element || !hasNextPage || typeof IntersectionObserver === 'undefined') return;
    const observer = new IntersectionObserver(
      (entries) => {
        if (entries.some((e) => e.isIntersecting) && !isFetchingNextPage) void fetchNextPage();
      },
      { rootMargin: '400px' },
    );
    observer.observe(element);
    return () => observer.disconnect();
  }, [hasNextPage, isFetchingNextPage, fetchNextPage]);

  if (list.isPending) return <Loading label="Loading events…" />;
  if (list.isError)
    return (
      <ErrorState
        error={list.error}
        title="Could not load events"
        retry={() => void list.refetch()}
      />
    );
  const events = list.data.items;
  if (events.length === 0) return <Empty>No upcoming events match these filters.</Empty>;
  return (
    <>
      <ul className="cards" aria-label="Upcoming events">
        {events.map((e, i) => (
          <EventCard key={e.id} event={e} surface="discover" position={i} />
        ))}
      </ul>
      <div ref={sentinel} />
      <LoadMore list={list} />
      {!list.hasNextPage && <p className="muted">That is everything coming up.</p>}
    </>
  );
}
