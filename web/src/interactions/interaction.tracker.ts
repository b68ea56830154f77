import type { InteractionInput } from '@platform/contracts';

/** What a component reports; the tracker stamps the time and the session. */
export type InteractionRecord = Omit<InteractionInput, 'occurredAt' | 'sessionId'>;

export interface TrackerDeps {
  /** Authenticated POST of one batch (through the API client, so it carries the user). */
  post: (batch: { interactions: InteractionInput[] }) => Promise<unknown>;
  /** `navigator.sendBeacon`, bound; returns false when the browser refused to queue it. */
  beacon?: (url: string, body: string) => boolean;
  sessionId: string;
  now?: () => Date;
  /** Send as soon as this many are waiting. */
  batchSize?: number;
  /** Waiting interactions kept at most (oldest dropped) while the API cannot take them. */
  maxQueue?: number;
}

/** The API takes 500 interactions per request; a beacon carries at most 64 KiB in flight. */
export const MAX_BATCH = 500;
const BEACON_BYTES = 60_000;
export const INTERACTIONS_URL = '/v1/interactions';

/**
 * Impressions, views, clicks and shares, sent in batches to `/v1/interactions`: every few seconds
 * and when the batch fills up, with the user's token; and when the page is hidden, through
 * `sendBeacon` (the browser delivers it even as the page goes away, as text/plain and without a
 * token, so those count under the session id alone). Searches are recorded by the server when it
 * answers `/v1/search`, so they are not sent from here.
 */
export class InteractionTracker {
  private queue: InteractionInput[] = [];
  private sending = false;
  private readonly batchSize: number;
  private readonly maxQueue: number;

  constructor(private readonly deps: TrackerDeps) {
    this.batchSize = deps.batchSize ?? 50;
    this.maxQueue = deps.maxQueue ?? 2_000;
  }

  get pending(): number {
    return this.queue.length;
  }

  record(interaction: InteractionRecord): void {
    this.queue.push({
      ...interaction,
      occurredAt: (this.deps.now?.() ?? new Date()).toISOString(),
      sessionId: this.deps.sessionId,
    });
    if (this.queue.length > this.maxQueue) this.queue.splice(0, this.queue.length - this.maxQueue);
    if (this.queue.length >= this.batchSize) void this.flush();
  }

  /** Sends what is waiting; a batch that fails for a transient reason goes back to the queue. */
  async flush(): Promise<void> {
    if (this.sending || this.queue.length === 0) return;
    this.sending = true;
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0, MAX_BATCH);
        try {
          await this.deps.post({ interactions: batch });
        } catch (error) {
          // A 4xx will fail the same way again: drop it. Otherwise retry on the next flush.
          const status = (error as { status?: number }).status;
          if (status === undefined || status >= 500 || status === 429) {
            this.queue.unshift(...batch);
          }
          return;
        }
      }
    } finally {
      this.sending = false;
    }
  }

  /** Page hide: everything waiting, by beacon, in chunks a beacon can carry. */
  flushWithBeacon(): void {
    if (!this.deps.beacon) {
      void this.flush();
      return;
    }
    while (this.queue.length > 0) {
      const chunk = beaconChunk(this.queue);
      const sent = this.deps.beacon(INTERACTIONS_URL, JSON.stringify({ interactions: chunk }));
      if (!sent) {
        // The browser's beacon quota is full: keep them for the next visit of the page.
        return;
      }
      this.queue.splice(0, chunk.length);
    }
  }

  /** Periodic flushes and the page-hide beacon; returns the function that stops both. */
  start(target: Window, intervalMs = 5_000): () => void {
    const timer = target.setInterval(() => void this.flush(), intervalMs);
    const onHide = () => {
      if (target.document.visibilityState === 'hidden') this.flushWithBeacon();
    };
    const onPageHide = () => this.flushWithBeacon();
    target.document.addEventListener('visibilitychange', onHide);
    target.addEventListener('pagehide', onPageHide);
    return () => {
      target.clearInterval(timer);
      target.document.removeEventListener('visibilitychange', onHide);
      target.removeEventListener('pagehide', onPageHide);
    };
  }
}

/** The longest prefix of `queue` (up to MAX_BATCH) whose JSON fits in one beacon. */
function beaconChunk(queue: InteractionInput[]): InteractionInput[] {
  let bytes = 20;
  let n = 0;
  while (n < queue.length && n < MAX_BATCH) {
    const size = JSON.stringify(queue[n]).length + 1;
    if (n > 0 && bytes + size > BEACON_BYTES) break;
    bytes += size;
    n++;
  }
  return queue.slice(0, n);
}

/** 8 to 64 letters, digits, - or _, per tab (sessionStorage), as the API asks. */
export function browserSessionId(storage: Storage | undefined): string {
  const key = 'events-platform-session';
  const existing = storage?.getItem(key);
  if (existing && /^[A-Za-z0-9_-]{8,64}$/.test(existing)) return existing;
  const id = crypto.randomUUID();
  storage?.setItem(key, id);
  return id;
}
