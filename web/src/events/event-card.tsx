import type { EventSummary, InteractionSurface, RecommendationReason } from '@platform/contracts';
import type { ReactNode } from 'react';
import { Link } from 'react-router';
import { useTracker } from '../app/services.js';
import { useImpression } from '../interactions/use-impression.js';
import { formatDateTime, seatsText } from '../ui/format.js';

export interface EventCardProps {
  event: Pick<
    EventSummary,
    | 'id'
    | 'title'
    | 'category'
    | 'startsAt'
    | 'venue'
    | 'capacity'
    | 'confirmedCount'
    | 'waitlistCount'
  >;
  surface: InteractionSurface;
  position: number;
  reasons?: readonly RecommendationReason[];
  /** A title with highlights, for search results. */
  title?: ReactNode;
  snippet?: ReactNode;
}

/** One event in a list: records its impression when seen and its click when opened. */
export function EventCard({ event, surface, position, reasons, title, snippet }: EventCardProps) {
  const tracker = useTracker();
  const ref = useImpression<HTMLLIElement>({
    type: 'impression',
    eventId: event.id,
    surface,
    position,
  });
  const full = event.confirmedCount >= event.capacity;
  return (
    <li className="card" ref={ref}>
      <p className="card-meta">
        <span className="chip">{event.category}</span>
        <span>{event.venue.city}</span>
      </p>
      <h3 className="card-title">
        <Link
          to={`/events/${event.id}`}
          onClick={() => tracker.record({ type: 'click', eventId: event.id, surface, position })}
        >
          {title ?? event.title}
        </Link>
      </h3>
      <p className="card-when">
        <time dateTime={event.startsAt}>{formatDateTime(event.startsAt)}</time> · {event.venue.name}
      </p>
      {snippet && <p className="card-snippet">{snippet}</p>}
      {reasons && reasons.length > 0 && (
        <ul className="reasons" aria-label="Why we suggest it">
          {reasons.map((r, i) => (
            <li key={i} className={`reason reason-${r.kind}`}>
              {r.text}
            </li>
          ))}
        </ul>
      )}
      <p className={full ? 'seats seats-full' : 'seats'}>{seatsText(event)}</p>
    </li>
  );
}
