import { parentPort, workerData } from 'node:worker_threads';
import type { LevelWithSilent } from 'pino';
import { createLogger } from '../logger/logger.js';
import { createKafkaLog, type KafkaLogOptions } from './kafka.adapter.js';
import type { MessageLog, OutgoingMessage } from './message-log.port.js';
import type { PublisherReply, PublisherRequest } from './kafka-publisher.thread.js';

/**
 * The Kafka producer of `KafkaPublisherThread`: its own kafkajs client on this thread, so the
 * encoding of every record (and the garbage it makes) stays off the caller's event loop.
 */
interface Data {
  kafka: Omit<KafkaLogOptions, 'logger'>;
  service: string;
  level: LevelWithSilent;
}

const port = parentPort!;
const data = workerData as Data;
const reply = (message: PublisherReply) => port.postMessage(message);

let log: MessageLog;
try {
  log = await createKafkaLog({
    ...data.kafka,
    logger: createLogger({ service: data.service, level: data.level }),
  });
  reply({ type: 'ready' });
} catch (error) {
  reply({ type: 'start-failed', message: (error as Error).message });
  process.exit(1);
}

port.on('message', (request: PublisherRequest) => {
  if (request.type === 'close') {
    // Closing the port lets the thread end once the producer is closed.
    void log.close().finally(() => port.close());
    return;
  }
  // One buffer carries every value; each message's is a view on it, copied by nothing.
  const values = Buffer.from(request.values);
  let offset = 0;
  const messages: OutgoingMessage[] = request.messages.map((m, i) => {
    const length = request.lengths[i]!;
    const value = values.subarray(offset, offset + length);
    offset += length;
    return { ...m, value };
  });
  log.publish(messages).then(
    (results) => reply({ type: 'published', id: request.id, results }),
    (error: unknown) =>
      reply({
        type: 'failed',
        id: request.id,
        message: (error as Error).message,
        code: (error as { code?: string }).code,
      }),
  );
});
