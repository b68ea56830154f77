import type {
  Event,
  Registration,
  RecommendationsResponse,
  RecommendedItem,
} from '@platform/contracts';
import { useMutation, useQuery, useQueryClient, type QueryClient } from '@tanstack/react-query';
import { isNotFound } from '../api/api-error.js';
import { useCursorPages } from '../api/use-cursor-pages.js';
import { useApi, useSession } from '../app/services.js';

export interface EventFilters {
  category?: string;
  city?: string;
  from?: string;
  to?: string;
}

export const eventKeys = {
  list: (filters: EventFilters) => ['events', 'list', filters] as const,
  one: (id: string) => ['events', 'one', id] as const,
  myRegistration: (id: string) => ['registrations', 'mine', id] as const,
  similar: (id: string) => ['events', 'similar', id] as const,
};

export function useEventList(filters: EventFilters) {
  return useCursorPages<Event>(eventKeys.list(filters), '/v1/events', { ...filters, limit: 12 });
}

export function useEvent(id: string) {
  const api = useApi();
  const session = useSession();
  return useQuery({
    // Drafts are visible to their organizer only: the answer depends on who asks.
    queryKey: [...eventKeys.one(id), session.status === 'signed-in' ? session.user.id : null],
    queryFn: ({ signal }) => api.get<Event>(`/v1/events/${id}`, { signal }),
    enabled: session.status !== 'restoring',
  });
}

/** My registration for the event: null when I have none (404), undefined while unknown. */
export function useMyRegistration(eventId: string) {
  const api = useApi();
  const session = useSession();
  return useQuery({
    queryKey: eventKeys.myRegistration(eventId),
    queryFn: async ({ signal }) => {
      try {
        return await api.get<Registration>(`/v1/events/${eventId}/registrations/me`, { signal });
      } catch (error) {
        if (isNotFound(error)) return null;
        throw error;
      }
    },
    enabled: session.status === 'signed-in',
  });
}

/** Counts in every cached copy of the event move to the newer revision. */
export function applyCounts(
  queryClient: QueryClient,
  update: Pick<
    Event,
    'id' | 'revision' | 'capacity' | 'confirmedCount' | 'waitlistCount' | 'status'
  >,
) {
  queryClient.setQueriesData<Event>({ queryKey: eventKeys.one(update.id) }, (old) =>
    old && old.revision < update.revision
      ? {
          ...old,
          revision: update.revision,
          capacity: update.capacity,
          confirmedCount: update.confirmedCount,
          waitlistCount: update.waitlistCount,
          status: update.status,
        }
      : old,
  );
}

export function useRegistrationMutations(eventId: string) {
  const api = useApi();
  const queryClient = useQueryClient();
  const settle = (registration: Registration | null) => {
    queryClient.setQueryData(eventKeys.myRegistration(eventId), registration);
    void queryClient.invalidateQueries({ queryKey: eventKeys.one(eventId) });
    void queryClient.invalidateQueries({ queryKey: ['registrations', 'list'] });
  };
  const register = useMutation({
    mutationFn: () =>
      api.post<Registration>(`/v1/events/${eventId}/registrations`, undefined, {
        // A retried click (or a retry after a lost answer) cannot register twice.
        headers: { 'idempotency-key': crypto.randomUUID() },
      }),
    onSuccess: settle,
  });
  const cancel = useMutation({
    mutationFn: () => api.delete<Registration>(`/v1/events/${eventId}/registrations/me`),
    onSuccess: () => settle(null),
  });
  return { register, cancel };
}

/**
 * ML lists (recommendations, trending, similar). Their endpoints may be missing on an API that
 * has no ML tier: the query then fails with 404 and the section says so.
 */
export function useRecommendations(city: string | undefined) {
  const api = useApi();
  const session = useSession();
  return useQuery({
    queryKey: [
      'ml',
      'recommendations',
      city,
      session.status === 'signed-in' ? session.user.id : null,
    ],
    queryFn: ({ signal }) =>
      api.get<RecommendationsResponse>('/v1/recommendations', {
        query: { limit: 8, city },
        signal,
      }),
    enabled: session.status !== 'restoring',
    retry: false,
  });
}

export function useTrending(city: string | undefined, category: string | undefined) {
  const api = useApi();
  return useQuery({
    queryKey: ['ml', 'trending', city, category],
    queryFn: ({ signal }) =>
      api.get<{ items: RecommendedItem[] }>('/v1/trending', {
        query: { city, category, limit: 8 },
        signal,
      }),
    retry: false,
  });
}

export function useSimilar(eventId: string) {
  const api = useApi();
  return useQuery({
    queryKey: eventKeys.similar(eventId),
    queryFn: ({ signal }) =>
      api.get<{ items: RecommendedItem[] }>(`/v1/events/${eventId}/similar`, {
        query: { limit: 6 },
        signal,
      }),
    retry: false,
  });
}
