import {
  domainMessageSchema,
  headers as headerNames,
  subjectOf,
  type DomainMessageOf,
  type DomainMessageType,
} from '@platform/contracts';
import { newId } from '@platform/kit';
import type { Tx } from '../db/db.js';

/** Builds a domain message envelope: UUIDv7 id, schema version 1. */
export function domainMessage<T extends DomainMessageType>(
  type: T,
  aggregateId: string,
  data: DomainMessageOf<T>['data'],
  occurredAt: Date = new Date(),
): DomainMessageOf<T> {
  return {
    id: newId(),
    type,
    version: 1,
    occurredAt: occurredAt.toISOString(),
    aggregateId,
    data,
  } as DomainMessageOf<T>;
}

/** The headers every message from core-api carries, as the outbox stores them (JSON). */
export function outboxHeaders(context: { traceparent?: string } = {}): string {
  return JSON.stringify({
    [headerNames.origin]: 'core-api',
    ...(context.traceparent ? { [headerNames.traceparent]: context.traceparent } : {}),
  });
}

/**
 * Appends messages to the transactional outbox inside the caller's transaction, so a state change
 * and its messages commit or roll back together. Rows get increasing `seq` in insertion order;
 * the relay publishes them in that order.
 */
export async function appendToOutbox(
  tx: Tx,
  messages: DomainMessageOf<DomainMessageType>[],
  context: { traceparent?: string } = {},
): Promise<void> {
  if (messages.length === 0) return;
  const headers = outboxHeaders(context);
  await tx
    .insertInto('outbox')
    .values(
      messages.map((message) => ({
        // Validating here catches a malformed message at the change that made it, not downstream.
        id: domainMessageSchema.parse(message).id,
        aggregate_id: message.aggregateId,
        subject: subjectOf(message.type),
        message: JSON.stringify(message),
        headers,
      })),
    )
    .execute();
}
