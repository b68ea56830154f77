import type { CapacityUpdate } from '@platform/contracts';
import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { applyCounts, eventKeys } from './event.queries.js';

export type LiveStatus = 'connecting' | 'live' | 'reconnecting' | 'unavailable';

/**
 * Follows `GET /v1/events/:id/live` (Server-Sent Events). Each update carries the event's counts
 * at a revision; the browser reconnects by itself and sends Last-Event-ID, so a dropped
 * connection resumes at the current state. A change of counts may be my own promotion from the
 * waitlist, so my registration is fetched again too.
 */
export function useLiveCapacity(eventId: string, enabled: boolean): LiveStatus {
  const queryClient = useQueryClient();
  const [status, setStatus] = useState<LiveStatus>('connecting');
  useEffect(() => {
    if (!enabled || typeof EventSource === 'undefined') {
      setStatus('unavailable');
      return;
    }
    setStatus('connecting');
    const source = new EventSource(`/v1/events/${eventId}/live`);
    let lastRevision = 0;
    source.onopen = () => setStatus('live');
    source.onerror = () =>
      setStatus(source.readyState === EventSource.CLOSED ? 'unavailable' : 'reconnecting');
    source.addEventListener('capacity', (message) => {
      setStatus('live');
      const update = JSON.parse((message as MessageEvent<string>).data) as CapacityUpdate;
      applyCounts(queryClient, { ...update, id: update.eventId });
      if (lastRevision !== 0 && update.revision > lastRevision) {
        void queryClient.invalidateQueries({ queryKey: eventKeys.myRegistration(eventId) });
      }
      lastRevision = Math.max(lastRevision, update.revision);
    });
    return () => source.close();
  }, [eventId, enabled, queryClient]);
  return status;
}
