import {
  interactionType,
  topics,
  type ImpressionList,
  type Interaction,
  type InteractionInput,
  type InteractionType,
} from '@platform/contracts';
import {
  Counter,
  newId,
  ServiceUnavailableError,
  ValidationError,
  type Registry,
} from '@platform/kit';
import type { MessagePublisher, OutgoingMessage } from '@platform/kit/messaging';
import type { AuthUser } from '../auth/auth.types.js';

/** How far an interaction's own clock may be from ours. */
export const MAX_FUTURE_SKEW_MS = 5 * 60_000;
export const MAX_AGE_MS = 24 * 3_600_000;
/**
 * How long interactions recorded in the background (the impressions of served lists) wait for
 * others to share their publish, counted from the first of them, including while an earlier
 * publish is in flight. Each publish is a produce request, whose fixed cost in kafkajs (encoding,
 * the socket write, the response) was paid 80-100 times a second at 500 lists a second when a
 * batch went as soon as the previous one was stored; nobody waits for these.
 */
export const BACKGROUND_LINGER_MS = 100;

export interface InteractionServiceDeps {
  /** Kafka (`interactions.v1`, from a worker thread in production), or the in-memory log. */
  log: MessagePublisher;
  metrics: Registry;
  /** Interactions being produced at once before we answer 503 instead of buffering more. */
  maxInFlight?: number;
  now?: () => Date;
}

/** One headers object per message type, shared by its messages (nothing writes to them). */
const headersFor = {} as Record<InteractionType | ImpressionList['type'], Record<string, string>>;
for (const type of [...interactionType.options, 'impression-list'] as const)
  headersFor[type] = Object.freeze({ origin: 'core-api', 'message-type': `interaction.${type}` });

/** Whether `b` was seen in the same list as impression `a`: everything but event and rank alike. */
const sameList = (a: Interaction, b: Interaction) =>
  b.type === 'impression' &&
  b.occurredAt === a.occurredAt &&
  b.surface === a.surface &&
  b.sessionId === a.sessionId &&
  b.query === a.query &&
  b.resultCount === a.resultCount;

/**
 * The records for a request's interactions, in order. A run of impressions seen in one list (a
 * list the server served, or a client's impressions sharing surface, time and session) goes as
 * one `impression-list` record: kafkajs's cost is per record (about 30 µs of CPU each here), and
 * a served list would otherwise be ten.
 */
function toMessages(interactions: Interaction[]): OutgoingMessage[] {
  const messages: OutgoingMessage[] = [];
  for (let i = 0; i < interactions.length;) {
    const first = interactions[i]!;
    let end = i + 1;
    if (first.type === 'impression')
      while (end < interactions.length && sameList(first, interactions[end]!)) end++;
    const body: Interaction | ImpressionList =
      end - i === 1
        ? first
        : {
            type: 'impression-list',
            query: first.query,
            resultCount: first.resultCount,
            surface: first.surface ?? null,
            occurredAt: first.occurredAt,
            receivedAt: first.receivedAt,
            sessionId: first.sessionId,
            userId: first.userId,
            items: interactions
              .slice(i, end)
              .map(({ id, eventId, position }) => ({ id, eventId: eventId!, position })),
          };
    messages.push({
      topic: topics.interactions,
      key: first.userId ?? first.sessionId,
      value: Buffer.from(JSON.stringify(body)),
      headers: headersFor[body.type],
    });
    i = end;
  }
  return messages;
}

/** Interactions waiting for the send in flight to finish, and their callers. */
interface PendingBatch {
  messages: OutgoingMessage[];
  done: Promise<void>;
  settle: (error?: unknown) => void;
  /** When the batch may go at the latest (performance.now()): the first message's arrival plus
   * the shortest linger asked for; at once when a caller is waiting for it. */
  dueAt: number;
}

/**
 * Interactions ingest: validated, stamped with an id, the receive time and the user, produced to
 * `interactions.v1` keyed by user (or session, when signed out) so one person's stream stays in
 * order; a list's impressions go as one record (`toMessages`). Memory is bounded: past
 * `maxInFlight` interactions waiting for Kafka, callers get 503 with Retry-After rather than a
 * growing buffer.
 */
export class InteractionService {
  private inFlight = 0;
  private sending = false;
  private pending: PendingBatch | null = null;
  private lingering: NodeJS.Timeout | undefined;
  private lingeringUntil = 0;
  /** The publish in flight, settled either way (see `flush`). */
  private publishing: Promise<void> = Promise.resolve();
  private readonly maxInFlight: number;
  private readonly accepted: Counter;
  private readonly rejected: Counter;

  constructor(private readonly deps: InteractionServiceDeps) {
    this.maxInFlight = deps.maxInFlight ?? 50_000;
    this.accepted = new Counter({
      name: 'interactions_accepted_total',
      help: 'Interactions produced to interactions.v1, by type and surface (where in the product; none when not sent)',
      labelNames: ['type', 'surface'] as const,
      registers: [deps.metrics],
    });
    this.rejected = new Counter({
      name: 'interactions_rejected_total',
      help: 'Interactions refused, by reason',
      labelNames: ['reason'] as const,
      registers: [deps.metrics],
    });
  }

  async record(
    inputs: InteractionInput[],
    user: AuthUser | undefined,
    lingerMs = 0,
  ): Promise<Interaction[]> {
    const now = this.deps.now?.() ?? new Date();
    const errors: { path: string; message: string }[] = [];
    /** Each input's time, parsed once (a list's impressions share one). */
    const times: string[] = [];
    for (let i = 0; i < inputs.length; i++) {
      const occurredAt = inputs[i]!.occurredAt;
      const at = Date.parse(occurredAt);
      if (at > now.getTime() + MAX_FUTURE_SKEW_MS)
        errors.push({
          path: `body.interactions.${i}.occurredAt`,
          message: 'is more than 5 minutes in the future',
        });
      else if (at < now.getTime() - MAX_AGE_MS)
        errors.push({
          path: `body.interactions.${i}.occurredAt`,
          message: 'is more than 24 hours in the past',
        });
      else
        times[i] =
          i > 0 && occurredAt === inputs[i - 1]!.occurredAt
            ? times[i - 1]!
            : new Date(at).toISOString();
    }
    if (errors.length > 0) {
      this.rejected.inc({ reason: 'timestamp' }, errors.length);
      throw new ValidationError(errors);
    }
    if (this.inFlight + inputs.length > this.maxInFlight) {
      this.rejected.inc({ reason: 'backpressure' }, inputs.length);
      throw new ServiceUnavailableError(
        'Interactions are arriving faster than we can store them',
        1,
        'ingest-backpressure',
      );
    }
    const receivedAt = now.toISOString();
    const interactions: Interaction[] = inputs.map((input, i) => ({
      id: newId(),
      type: input.type,
      eventId: input.eventId ?? null,
      query: input.query ?? null,
      position: input.position ?? null,
      resultCount: input.resultCount ?? null,
      surface: input.surface ?? null,
      occurredAt: times[i]!,
      receivedAt,
      sessionId: input.sessionId,
      userId: user?.id ?? null,
    }));
    this.inFlight += interactions.length;
    try {
      await this.send(toMessages(interactions), lingerMs);
    } catch (error) {
      throw new ServiceUnavailableError(
        `Could not store interactions: ${(error as Error).message}`,
        2,
        'ingest-unavailable',
      );
    } finally {
      this.inFlight -= interactions.length;
    }
    // One increment per label set: a list's ten impressions share theirs.
    const counts = new Map<string, { type: string; surface: string; n: number }>();
    for (const { type, surface } of interactions) {
      const labels = `${type}\u0000${surface ?? 'none'}`;
      const count = counts.get(labels);
      if (count) count.n++;
      else counts.set(labels, { type, surface: surface ?? 'none', n: 1 });
    }
    for (const { type, surface, n } of counts.values()) this.accepted.inc({ type, surface }, n);
    return interactions;
  }

  /**
   * For interactions the server records on its own (the impressions of a list it served): nobody
   * waits for them, so they linger up to BACKGROUND_LINGER_MS to share a publish with others.
   * Refusals and failures are counted in the metrics (and logged by the caller's `onError`),
   * never thrown.
   */
  recordInBackground(
    inputs: InteractionInput[],
    user: AuthUser | undefined,
    onError?: (error: unknown) => void,
  ): void {
    this.record(inputs, user, BACKGROUND_LINGER_MS).catch((error: unknown) => {
      // Refusals for backpressure and bad timestamps are counted where they are decided.
      if (error instanceof ServiceUnavailableError && error.code === 'ingest-unavailable')
        this.rejected.inc({ reason: 'unavailable' }, inputs.length);
      onError?.(error);
    });
  }

  /**
   * Group commit: what arrives while one publish is in flight waits and then goes as one
   * publish, rather than one produce request per HTTP request. Nothing waits when nothing is in
   * flight, unless the caller allows lingering (`lingerMs`) to gather more; each caller learns
   * the outcome of the publish that carried its messages.
   */
  private send(messages: OutgoingMessage[], lingerMs = 0): Promise<void> {
    const now = performance.now();
    if (!this.pending) {
      let settle!: (error?: unknown) => void;
      const done = new Promise<void>((resolve, reject) => {
        settle = (error) => (error === undefined ? resolve() : reject(error));
      });
      this.pending = { messages: [], done, settle, dueAt: now + lingerMs };
    }
    const batch = this.pending;
    batch.messages.push(...messages);
    batch.dueAt = Math.min(batch.dueAt, now + lingerMs);
    if (!this.sending) this.schedule(batch);
    return batch.done;
  }

  /**
   * Publishes what is lingering now and waits until nothing is in flight: at shutdown, before the
   * Kafka producer closes, so the impressions of the last lists served are not dropped.
   */
  async drain(): Promise<void> {
    for (;;) {
      if (this.sending) await this.publishing;
      else if (this.pending) this.flush();
      else return;
    }
  }

  /** Publishes `batch` when it is due: now, or when its linger is over. */
  private schedule(batch: PendingBatch): void {
    const wait = batch.dueAt - performance.now();
    if (wait <= 0) return this.flush();
    if (this.lingering && this.lingeringUntil <= batch.dueAt) return;
    clearTimeout(this.lingering);
    this.lingeringUntil = batch.dueAt;
    this.lingering = setTimeout(() => this.flush(), wait);
  }

  private flush(): void {
    clearTimeout(this.lingering);
    this.lingering = undefined;
    const batch = this.pending;
    this.pending = null;
    if (!batch) return;
    this.sending = true;
    this.publishing = this.deps.log
      .publish(batch.messages)
      .then(
        () => batch.settle(),
        (error: unknown) => batch.settle(error ?? new Error('publish failed')),
      )
      .finally(() => {
        this.sending = false;
        if (this.pending) this.schedule(this.pending);
      });
  }
}
