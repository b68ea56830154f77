/** The button under a list that has more pages. */
export function LoadMore({
  list,
  label = 'Load more',
}: {
  list: { hasNextPage: boolean; isFetchingNextPage: boolean; fetchNextPage: () => unknown };
  label?: string;
}) {
  if (!list.hasNextPage) return null;
  return (
    <button
      type="button"
      className="button secondary load-more"
      onClick={() => void list.fetchNextPage()}
      disabled={list.isFetchingNextPage}
    >
      {list.isFetchingNextPage ? 'Loading…' : label}
    </button>
  );
}
