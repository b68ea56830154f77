import type { FacetBucket } from '@platform/contracts';
import type { ReactNode } from 'react';
import { Link, useSearchParams } from 'react-router';
import { EventCard } from '../events/event-card.js';
import { Highlighted } from '../ui/highlighted.js';
import { Page } from '../ui/page.js';
import { Empty, ErrorState, Loading } from '../ui/states.js';
import { isSearchable, useSearch } from './search.queries.js';

/** `/search?q=&category=&city=`: hits with highlights, facets to narrow, more on demand. */
export function SearchResultsPage() {
  const [params] = useSearchParams();
  const q = params.get('q') ?? '';
  const category = params.get('category') ?? undefined;
  const city = params.get('city') ?? undefined;
  const search = useSearch({ q, category, city });
  const first = search.data?.pages[0];
  const hits = search.data?.pages.flatMap((p) => p.hits) ?? [];

  const title = q ? `Results for “${q}”` : 'Search';
  let content: ReactNode;
  if (!isSearchable(q)) {
    content = (
      <Empty>Type what you are looking for in the search box: a title, a topic, a city.</Empty>
    );
  } else if (search.isPending) {
    content = <Loading label="Searching…" />;
  } else if (search.isError) {
    content = (
      <ErrorState error={search.error} title="Search failed" retry={() => void search.refetch()} />
    );
  } else {
    content = (
      <div className="search-layout">
        <aside className="facets" aria-label="Narrow the results">
          <Facet
            name="category"
            label="Category"
            buckets={first?.facets.category ?? []}
            params={params}
          />
          <Facet name="city" label="City" buckets={first?.facets.city ?? []} params={params} />
        </aside>
        <div className="search-hits">
          <p role="status">
            {first?.total === 1 ? '1 event' : `${first?.total ?? 0} events`}
            {category || city
              ? ` (filtered by ${[category, city].filter(Boolean).join(', ')})`
              : ''}
          </p>
          {hits.length === 0 ? (
            <Empty>
              Nothing matches. Try other words{category || city ? ' or remove a filter' : ''}.
            </Empty>
          ) : (
            <ul className="cards">
              {hits.map((hit, i) => (
                <EventCard
                  key={hit.eventId}
                  event={{ ...hit, id: hit.eventId }}
                  surface="search"
                  position={i}
                  title={<Highlighted text={hit.title} ranges={hit.highlights.title} />}
                  snippet={<Highlighted text={hit.snippet} ranges={hit.highlights.snippet} />}
                />
              ))}
            </ul>
          )}
          {search.hasNextPage && (
            <button
              type="button"
              className="button secondary"
              onClick={() => void search.fetchNextPage()}
              disabled={search.isFetchingNextPage}
            >
              {search.isFetchingNextPage ? 'Loading…' : 'More results'}
            </button>
          )}
        </div>
      </div>
    );
  }
  return <Page title={title}>{content}</Page>;
}

function Facet({
  name,
  label,
  buckets,
  params,
}: {
  name: 'category' | 'city';
  label: string;
  buckets: FacetBucket[];
  params: URLSearchParams;
}) {
  const selected = params.get(name);
  const link = (value: string | null) => {
    const next = new URLSearchParams(params);
    if (value === null) next.delete(name);
    else next.set(name, value);
    return `/search?${next.toString()}`;
  };
  return (
    <nav aria-label={label} className="facet">
      <h2>{label}</h2>
      <ul>
        {selected && (
          <li>
            <Link to={link(null)}>Any {label.toLowerCase()}</Link>
          </li>
        )}
        {buckets.map((b) => (
          <li key={b.value}>
            <Link to={link(b.value)} aria-current={selected === b.value ? 'true' : undefined}>
              {b.value} <span className="count">({b.count})</span>
            </Link>
          </li>
        ))}
        {buckets.length === 0 && <li className="muted">None</li>}
      </ul>
    </nav>
  );
}
