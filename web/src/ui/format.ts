const dateTime = new Intl.DateTimeFormat(undefined, {
  weekday: 'short',
  day: 'numeric',
  month: 'short',
  hour: '2-digit',
  minute: '2-digit',
});
const dayOnly = new Intl.DateTimeFormat(undefined, {
  day: 'numeric',
  month: 'short',
  year: 'numeric',
});

export const formatDateTime = (iso: string): string => dateTime.format(new Date(iso));
export const formatDay = (iso: string): string => dayOnly.format(new Date(iso));

/** "Sat 12 Dec, 19:00 – 21:00" (or the end's full date when it is another day). */
export function formatRange(startsAt: string, endsAt: string): string {
  const start = new Date(startsAt);
  const end = new Date(endsAt);
  const sameDay = start.toDateString() === end.toDateString();
  const endText = sameDay
    ? new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' }).format(end)
    : dateTime.format(end);
  return `${dateTime.format(start)} – ${endText}`;
}

/** `<input type="datetime-local">` value in the browser's time zone, and back. */
export function toLocalInput(iso: string): string {
  const d = new Date(iso);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

export function fromLocalInput(value: string): string | undefined {
  if (!value) return undefined;
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

export function seatsText(e: { capacity: number; confirmedCount: number; waitlistCount: number }) {
  const left = Math.max(0, e.capacity - e.confirmedCount);
  if (left > 0) return `${left} of ${e.capacity} seats left`;
  return e.waitlistCount > 0 ? `Full · ${e.waitlistCount} waiting` : 'Full · waitlist open';
}

export const percent = (ratio: number | null): string =>
  ratio === null ? '–' : `${(ratio * 100).toFixed(ratio < 0.1 ? 1 : 0)}%`;
