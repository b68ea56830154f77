import type { connectNats, Logger } from '@platform/kit';
import type { Route } from '../pipe/forward.plan.js';

type NatsConnection = Awaited<ReturnType<typeof connectNats>>;
type JetStreamManager = Awaited<ReturnType<NatsConnection['jetstreamManager']>>;
type ConsumerInfo = Awaited<ReturnType<JetStreamManager['consumers']['info']>>;

/**
 * The durable consumers behind a NATS-sourced mapping. The message log names a group's durable
 * `<group>` for one subject and `<group>_<hash>` for several, with `.`, `*`, `>`, whitespace and
 * slashes turned into `_`.
 */
async function consumersOf(jsm: JetStreamManager, route: Route) {
  const durable = route.group.replace(/[.*>\s/\\]/g, '_');
  const streams = new Set(await Promise.all(route.sources.map((s) => jsm.streams.find(s))));
  const found: { stream: string; info: ConsumerInfo }[] = [];
  for (const stream of streams)
    for (const info of await jsm.consumers.list(stream).next())
      if (info.name === durable || info.name.startsWith(`${durable}_`))
        found.push({ stream, info });
  return found;
}

/** Lag of a NATS-sourced mapping: messages its durable consumers have not had acknowledged yet
 * (not delivered, plus delivered and unacked), from JetStream consumer info. */
export function natsLag(nc: NatsConnection) {
  return async (route: Route): Promise<number | undefined> => {
    if (route.sourceSide !== 'nats') return undefined;
    const consumers = await consumersOf(await nc.jetstreamManager(), route);
    return consumers.reduce((n, { info }) => n + info.num_pending + info.num_ack_pending, 0);
  };
}

/**
 * Before a NATS-sourced mapping starts: if an earlier run left messages unacknowledged (a crash,
 * or a stop that handed its prefetched messages back), moves its durable consumer back to the
 * ack floor. JetStream would otherwise redeliver those messages after newer ones, and a key's
 * messages would reach Kafka out of order; from the ack floor everything comes again in stream
 * order (the few already acked past the floor reach Kafka twice: at least once, as ever).
 *
 * The consumer is recreated with the same settings, starting at the sequence after the floor
 * (NATS 2.9 has no reset in place). It waits for the earlier run's pull requests to expire; if
 * someone keeps pulling, another bridge is running and nothing is touched.
 */
export async function rewindToAckFloor(
  nc: NatsConnection,
  route: Route,
  options: { logger: Logger; waitMs?: number },
): Promise<void> {
  if (route.sourceSide !== 'nats') return;
  const jsm = await nc.jetstreamManager();
  for (const found of await consumersOf(jsm, route)) {
    const { stream } = found;
    let { info } = found;
    const deadline = Date.now() + (options.waitMs ?? 8_000);
    while (info.num_ack_pending > 0 && info.num_waiting > 0 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 250));
      info = await jsm.consumers.info(stream, info.name);
    }
    if (info.num_ack_pending === 0) continue;
    if (info.num_waiting > 0) {
      options.logger.warn(
        { mapping: route.name, stream, consumer: info.name },
        'another subscriber is pulling from this consumer; not moving it back to its ack floor',
      );
      continue;
    }
    const start = info.ack_floor.stream_seq + 1;
    await jsm.consumers.delete(stream, info.name);
    await jsm.consumers.add(stream, {
      ...info.config,
      deliver_policy: 'by_start_sequence' as typeof info.config.deliver_policy,
      opt_start_seq: start,
    });
    options.logger.info(
      {
        mapping: route.name,
        stream,
        consumer: info.name,
        unacked: info.num_ack_pending,
        from: start,
      },
      'consumer moved back to its ack floor, so unacked messages come again in order',
    );
  }
}
