import { useInfiniteQuery, type QueryKey } from '@tanstack/react-query';
import { useApi } from '../app/services.js';
import type { QueryValue } from './api-client.js';

/** A page of a keyset-paginated list, as every list endpoint of the API answers. */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** All pages fetched so far of a cursor-paginated `GET path`; `fetchNextPage` adds the next. */
export function useCursorPages<T>(
  queryKey: QueryKey,
  path: string,
  query: Record<string, QueryValue> = {},
) {
  const api = useApi();
  return useInfiniteQuery({
    queryKey,
    queryFn: ({ pageParam, signal }) =>
      api.get<Page<T>>(path, { query: { ...query, cursor: pageParam }, signal }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    select: (data) => ({ ...data, items: data.pages.flatMap((p) => p.items) }),
  });
}
