import type { InteractionSurface, RecommendedItem } from '@platform/contracts';
import type { UseQueryResult } from '@tanstack/react-query';
import { isNotFound } from '../api/api-error.js';
import { Empty, ErrorState, Loading } from '../ui/states.js';
import { EventCard } from './event-card.js';

/**
 * A list from the ML tier (recommended, trending, similar) with its loading, empty and error
 * states. A 404 means this API has no ML tier (yet): said plainly, not as a failure.
 */
export function RecommendedList({
  query,
  surface,
  empty,
  showReasons = true,
}: {
  query: UseQueryResult<{ items: RecommendedItem[] }>;
  surface: InteractionSurface;
  empty: string;
  showReasons?: boolean;
}) {
  if (query.isPending) return <Loading />;
  if (query.isError) {
    if (isNotFound(query.error)) return <Empty>Suggestions are not available right now.</Empty>;
    return (
      <ErrorState
        error={query.error}
        title="Could not load suggestions"
        retry={() => void query.refetch()}
      />
    );
  }
  if (query.data.items.length === 0) return <Empty>{empty}</Empty>;
  return (
    <ul className="cards cards-row">
      {query.data.items.map((item, i) => (
        <EventCard
          key={item.event.id}
          event={item.event}
          surface={surface}
          position={i}
          reasons={showReasons ? item.reasons : undefined}
        />
      ))}
    </ul>
  );
}
