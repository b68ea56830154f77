import type { SearchResponse, SuggestResponse } from '@platform/contracts';
import { keepPreviousData, useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { useApi } from '../app/services.js';

/** What the API accepts as a query: a letter or digit, at most 100 (suggest) characters. */
export const isSearchable = (q: string, max = 200): boolean =>
  /[\p{L}\p{N}]/u.test(q) && q.length <= max && q.trim().split(/\s+/).length <= 10;

export function useDebounced<T>(value: T, ms: number): T {
  const [debounced, setDebounced] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setDebounced(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return debounced;
}

export function useSuggestions(typed: string) {
  const api = useApi();
  const enabled = isSearchable(typed, 100);
  return useQuery({
    queryKey: ['search', 'suggest', typed],
    queryFn: ({ signal }) =>
      api.get<SuggestResponse>('/v1/search/suggest', { query: { q: typed, limit: 8 }, signal }),
    enabled,
    staleTime: 60_000,
    placeholderData: keepPreviousData,
    retry: false,
  });
}

export interface SearchParams {
  q: string;
  category?: string;
  city?: string;
}

export function useSearch(params: SearchParams) {
  const api = useApi();
  return useInfiniteQuery({
    queryKey: ['search', 'results', params],
    queryFn: ({ pageParam, signal }) =>
      api.get<SearchResponse>('/v1/search', {
        query: { ...params, cursor: pageParam, limit: 20 },
        signal,
      }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    enabled: isSearchable(params.q),
  });
}
