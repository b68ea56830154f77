import { headers as headerNames } from '@platform/contracts';
import type { Delivery, OutgoingMessage } from '@platform/kit/messaging';
import { extractKey } from '../mappings/key.extractor.js';
import type { KeySpec } from '../mappings/mapping.config.js';
import { validationProblem, type ValidatorName } from '../mappings/payload.validators.js';

export type Side = 'nats' | 'kafka';

/** One mapping, the same shape whichever way it goes. */
export interface Route {
  name: string;
  direction: 'nats-to-kafka' | 'kafka-to-nats';
  sourceSide: Side;
  targetSide: Side;
  /** Subject filters or topics consumed. */
  sources: string[];
  /** Topic or subject published to. */
  target: string;
  deadLetter: string;
  key: KeySpec;
  validate: ValidatorName | undefined;
  group: string;
  from: 'beginning' | 'end';
  /** Group members in this process. */
  members: number;
  /** The dedup id the forwarded message is published with. */
  forwardId: (delivery: Delivery) => string | undefined;
}

/** The header the bridge keeps the source's own `origin` in when it writes its own. */
export const upstreamOriginHeader = 'origin-upstream';
export const deadLetterHeaders = {
  reason: 'dlq-reason',
  /** `<topic or subject>:<partition>:<offset or stream sequence>` of the source message. */
  source: 'dlq-source',
  mapping: 'dlq-mapping',
} as const;

/** Why a message went to the dead letters; a bounded set, used as a metric label. */
export type DeadLetterCause = 'invalid' | 'no-key' | 'headers' | 'undeliverable';

export type Plan =
  /** Came from the other side through this bridge: forwarding it back would loop. */
  | { kind: 'skip'; delivery: Delivery }
  | { kind: 'forward'; delivery: Delivery; message: OutgoingMessage }
  | { kind: 'dead'; delivery: Delivery; message: OutgoingMessage; cause: DeadLetterCause };

/** The `origin` values one bridge writes: `<bridge name>:<side the message came from>`. */
export function originOf(bridgeName: string, side: Side): string {
  return `${bridgeName}:${side}`;
}

const decoder = new TextDecoder('utf-8', { fatal: true });

/** Decides what becomes of one delivery: skipped as an echo, forwarded, or dead-lettered. */
export function planDelivery(route: Route, bridgeName: string, delivery: Delivery): Plan {
  const origin = delivery.headers[headerNames.origin];
  if (origin === originOf(bridgeName, route.targetSide)) return { kind: 'skip', delivery };

  let parsed: { value: unknown } | undefined;
  const payload = () => (parsed ??= { value: JSON.parse(decoder.decode(delivery.value)) }).value;

  if (route.validate) {
    let body: unknown;
    try {
      body = payload();
    } catch (error) {
      return deadPlan(
        route,
        bridgeName,
        delivery,
        'invalid',
        `not JSON: ${(error as Error).message}`,
      );
    }
    const problem = validationProblem(route.validate, body);
    if (problem) return deadPlan(route, bridgeName, delivery, 'invalid', problem);
  }

  const key = extractKey(route.key, { message: delivery, payload });
  if (!key.ok) return deadPlan(route, bridgeName, delivery, 'no-key', key.reason);

  const headers: Record<string, string> = { ...delivery.headers };
  if (origin !== undefined) headers[upstreamOriginHeader] = origin;
  headers[headerNames.origin] = originOf(bridgeName, route.sourceSide);
  if (route.targetSide === 'nats') {
    const bad = invalidNatsHeaders(headers);
    if (bad.length > 0)
      return deadPlan(
        route,
        bridgeName,
        delivery,
        'headers',
        `headers NATS cannot carry: ${bad.map((h) => JSON.stringify(h)).join(', ')}`,
      );
  }
  const id = route.forwardId(delivery);
  return {
    kind: 'forward',
    delivery,
    message: {
      topic: route.target,
      key: key.key,
      value: delivery.value,
      headers,
      ...(id === undefined ? {} : { id }),
    },
  };
}

/** Where a delivery came from, as dead letters name it. */
export function sourceOf(delivery: Delivery): string {
  return `${delivery.topic}:${delivery.partition}:${delivery.offset}`;
}

/**
 * The dead letter for a delivery: its original key, bytes and headers, so it can be fixed and
 * replayed as it was, plus the reason, the source position and the mapping. Its id makes a
 * second dead letter for the same source message a duplicate where the log dedups by id.
 */
export function deadLetterFor(
  route: Route,
  bridgeName: string,
  delivery: Delivery,
  reason: string,
): OutgoingMessage {
  const headers: Record<string, string> = { ...delivery.headers };
  const origin = delivery.headers[headerNames.origin];
  if (origin !== undefined) headers[upstreamOriginHeader] = origin;
  headers[headerNames.origin] = originOf(bridgeName, route.sourceSide);
  headers[deadLetterHeaders.reason] = oneLine(reason).slice(0, 500);
  headers[deadLetterHeaders.source] = sourceOf(delivery);
  headers[deadLetterHeaders.mapping] = route.name;
  // The dead letter must be deliverable even when the message's own headers are what failed.
  if (route.targetSide === 'nats')
    for (const name of invalidNatsHeaders(headers)) delete headers[name];
  return {
    topic: route.deadLetter,
    key: delivery.key,
    value: delivery.value,
    headers,
    id: `dlq:${route.sourceSide}:${sourceOf(delivery)}`,
  };
}

function deadPlan(
  route: Route,
  bridgeName: string,
  delivery: Delivery,
  cause: DeadLetterCause,
  reason: string,
): Plan {
  return {
    kind: 'dead',
    delivery,
    cause,
    message: deadLetterFor(route, bridgeName, delivery, reason),
  };
}

/**
 * Header names NATS refuses (printable ASCII but `:` only), values it refuses (CR or LF), and the
 * names its adapter reserves (`key` carries the key, `Nats-Msg-Id` the dedup id).
 */
function invalidNatsHeaders(headers: Record<string, string>): string[] {
  // A plain loop: this runs for every message forwarded to NATS.
  let bad: string[] | undefined;
  for (const name in headers)
    if (
      !natsHeaderName.test(name) ||
      crlf.test(headers[name]!) ||
      name === 'key' ||
      name.toLowerCase() === 'nats-msg-id'
    )
      (bad ??= []).push(name);
  return bad ?? [];
}

const natsHeaderName = /^[!-9;-~]+$/;
const crlf = /[\r\n]/;

function oneLine(text: string): string {
  return text.replace(/[\r\n]+/g, ' ');
}
