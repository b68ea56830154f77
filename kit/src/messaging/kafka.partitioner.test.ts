import { Partitioners, type PartitionerArgs, type PartitionMetadata } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { recordingPartitioner } from './kafka.adapter.js';

const metadata = (count: number): PartitionMetadata[] =>
  Array.from({ length: count }, (_, partitionId) => ({
    partitionErrorCode: 0,
    partitionId,
    leader: 0,
    replicas: [0],
    isr: [0],
  }));

const args = (topic: string, key: string | Buffer, partitions: number): PartitionerArgs => ({
  topic,
  partitionMetadata: metadata(partitions),
  message: { key, value: 'v' },
});

describe('recordingPartitioner', () => {
  it('chooses what kafkajs’s default partitioner chooses, through runs of one key and changes of topic and partition count', () => {
    const ours = recordingPartitioner();
    const reference = Partitioners.DefaultPartitioner();
    const keys = Array.from({ length: 40 }, (_, i) => `user-${i}`);
    const calls: PartitionerArgs[] = [];
    for (const key of keys) {
      // A served list: ten messages with one key, one after another.
      for (let n = 0; n < 10; n++) calls.push(args('platform.interactions.v1', key, 6));
      // The same key on another topic and on a topic with another partition count.
      calls.push(args('platform.domain.v1', key, 3), args('platform.interactions.v1', key, 4));
      calls.push(args('platform.interactions.v1', Buffer.from(key), 6));
    }
    const choices = new Set<number>();
    for (const call of calls) {
      const expected = reference({ ...call, message: { ...call.message } });
      const chosen = ours(call);
      expect(chosen).toBe(expected);
      // Recorded on the message, for working out offsets from sendBatch's base offsets.
      expect(call.message.partition).toBe(chosen);
      choices.add(chosen);
    }
    // The keys spread: a memo that returned one partition for everything would fail above, and
    // here too.
    expect(choices.size).toBeGreaterThan(3);
  });

  it('keeps a partition already recorded on the message (a retry)', () => {
    const ours = recordingPartitioner();
    const first = args('t', 'user-1', 6);
    const chosen = ours(first);
    const retried = { key: 'user-1', value: 'v', partition: (chosen + 1) % 6 };
    expect(ours({ topic: 't', partitionMetadata: metadata(6), message: retried })).toBe(
      (chosen + 1) % 6,
    );
  });
});
