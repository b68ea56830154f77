import type { HighlightRange } from '@platform/contracts';
import type { ReactNode } from 'react';

/** `text` with the matched ranges in <mark>; ranges are UTF-16 offsets, possibly unsorted. */
export function Highlighted({ text, ranges }: { text: string; ranges: readonly HighlightRange[] }) {
  const sorted = [...ranges]
    .filter((r) => r.end > r.start && r.start < text.length)
    .sort((a, b) => a.start - b.start);
  const parts: ReactNode[] = [];
  let at = 0;
  for (const { start, end } of sorted) {
    const from = Math.max(start, at);
    if (from >= end) continue;
    if (from > at) parts.push(text.slice(at, from));
    parts.push(<mark key={from}>{text.slice(from, Math.min(end, text.length))}</mark>);
    at = Math.min(end, text.length);
  }
  if (at < text.length) parts.push(text.slice(at));
  return <>{parts}</>;
}
