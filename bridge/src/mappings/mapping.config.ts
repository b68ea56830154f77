import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { subjectMatches } from '@platform/kit/messaging';
import { parseDocument } from 'yaml';
import { z } from 'zod';
import { validatorNames } from './payload.validators.js';

/** The mappings shipped with the repo; `BRIDGE_MAPPINGS_FILE` points elsewhere. */
export const defaultMappingsFile = fileURLToPath(
  new URL('../../mappings.default.yaml', import.meta.url),
);

const mappingName = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'must be lower-case letters, digits and -');

/** A Kafka topic name as the broker accepts it. */
const topicName = z
  .string()
  .regex(/^[A-Za-z0-9._-]{1,249}$/, 'must be 1 to 249 letters, digits, ".", "_" or "-"');

const subjectTokens = /^[^\s.*>]+(\.[^\s.*>]+)*$/;

/** A NATS subject to publish to: dot-separated tokens, no wildcards. */
const subjectName = z
  .string()
  .regex(subjectTokens, 'must be dot-separated tokens without spaces or wildcards');

/** A NATS subject filter: `*` matches one token, a final `>` the rest. */
const subjectPattern = z.string().refine(
  (s) =>
    s.split('.').every((t, i, all) => {
      if (t === '*') return true;
      if (t === '>') return i === all.length - 1;
      return t.length > 0 && !/[\s*>]/.test(t);
    }),
  'must be dot-separated tokens, with * for one token and > only at the end',
);

/** Where a forwarded message's key comes from. */
export const keySpecSchema = z.discriminatedUnion('from', [
  /** The key the source message already has (NATS `key` header, Kafka key). */
  z.strictObject({ from: z.literal('source') }),
  /** A token of the source subject or topic; negative counts from the end (-1 is the last). */
  z.strictObject({ from: z.literal('subject'), token: z.number().int() }),
  z.strictObject({ from: z.literal('header'), name: z.string().min(1) }),
  /** A field of the JSON payload, dotted for nested fields (`data.eventId`). */
  z.strictObject({ from: z.literal('payload'), field: z.string().regex(/^[^.]+(\.[^.]+)*$/) }),
]);
export type KeySpec = z.infer<typeof keySpecSchema>;

const validatorName = z.enum(validatorNames);

const common = {
  name: mappingName,
  key: keySpecSchema.default({ from: 'source' }),
  /** Payload check before forwarding; a message that fails it goes to the dead letters. */
  validate: validatorName.optional(),
  /** Consumer group; default `<settings.name>-<mapping name>`. */
  group: z.string().min(1).optional(),
  /** Where a new group starts. */
  from: z.enum(['beginning', 'end']).default('beginning'),
};

const natsToKafkaSchema = z.strictObject({
  ...common,
  subjects: z.array(subjectPattern).min(1),
  topic: topicName,
  /** Kafka topic for dead letters; default `<topic>.dlq`. */
  deadLetter: topicName.optional(),
});

const kafkaToNatsSchema = z.strictObject({
  ...common,
  topics: z.array(topicName).min(1),
  subject: subjectName,
  /** NATS subject for dead letters; default `<subject>.dlq`. */
  deadLetter: subjectName.optional(),
  /** Members of the consumer group in this process: partitions are handled in parallel, each
   * one in order. */
  concurrency: z.number().int().min(1).max(32).default(1),
});

const settingsSchema = z.strictObject({
  /** Names this bridge in the `origin` header it writes and prefixes its consumer groups. */
  name: mappingName.default('bridge'),
  /** Most messages handed over and sent to the other side at once. */
  batchSize: z.number().int().min(1).max(10_000).default(500),
  /** Most messages a NATS durable consumer lets the bridge hold unacknowledged (JetStream
   * max_ack_pending): the bound on what waits in memory. At least batchSize. */
  window: z.number().int().min(1).max(100_000).default(2_000),
  /** A message whose sends failed this many times (counting earlier deliveries) goes to the dead
   * letters, if the dead-letter destination takes it. */
  maxDeliveries: z.number().int().min(1).max(1_000).default(5),
  retry: z
    .strictObject({
      initialMs: z.number().int().min(1).default(100),
      maxMs: z.number().int().min(1).default(5_000),
    })
    .default({ initialMs: 100, maxMs: 5_000 }),
});

const streamSchema = z.strictObject({
  name: z.string().regex(/^[A-Za-z0-9_-]+$/, 'must be letters, digits, _ or -'),
  subjects: z.array(subjectPattern).min(1),
  duplicateWindowMs: z.number().int().positive().optional(),
  maxAgeMs: z.number().int().nonnegative().optional(),
});

export const mappingsFileSchema = z
  .strictObject({
    settings: settingsSchema.default(settingsSchema.parse({})),
    /** JetStream streams the bridge creates (or updates) at start on a real NATS server. */
    nats: z.strictObject({ streams: z.array(streamSchema).default([]) }).default({ streams: [] }),
    natsToKafka: z.array(natsToKafkaSchema).default([]),
    kafkaToNats: z.array(kafkaToNatsSchema).default([]),
  })
  .superRefine((file, ctx) => {
    if (file.natsToKafka.length + file.kafkaToNats.length === 0)
      ctx.addIssue({
        code: 'custom',
        path: [],
        message: 'no mappings: add natsToKafka or kafkaToNats',
      });
    const seen = new Set<string>();
    for (const [list, entries] of [
      ['natsToKafka', file.natsToKafka],
      ['kafkaToNats', file.kafkaToNats],
    ] as const)
      entries.forEach((mapping, i) => {
        if (seen.has(mapping.name))
          ctx.addIssue({
            code: 'custom',
            path: [list, i, 'name'],
            message: `"${mapping.name}" is used twice`,
          });
        seen.add(mapping.name);
      });
    if (file.settings.window < file.settings.batchSize)
      ctx.addIssue({
        code: 'custom',
        path: ['settings', 'window'],
        message: `must be at least batchSize (${file.settings.batchSize})`,
      });
    if (file.settings.retry.maxMs < file.settings.retry.initialMs)
      ctx.addIssue({
        code: 'custom',
        path: ['settings', 'retry', 'maxMs'],
        message: 'must be at least initialMs',
      });
    // With streams declared, every subject the bridge publishes to must land in one: otherwise
    // each send would fail and hold its partition up until the dead letters took it.
    const streams = file.nats.streams;
    if (streams.length === 0) return;
    file.kafkaToNats.forEach((mapping, i) => {
      for (const [field, subject] of [
        ['subject', mapping.subject],
        ['deadLetter', mapping.deadLetter ?? `${mapping.subject}.dlq`],
      ] as const) {
        const capturing = streams.filter((s) =>
          s.subjects.some((p) => subjectMatches(p.split('.'), subject.split('.'))),
        );
        if (capturing.length !== 1)
          ctx.addIssue({
            code: 'custom',
            path: ['kafkaToNats', i, field],
            message: `"${subject}" must be captured by exactly one of nats.streams, not ${capturing.length}`,
          });
      }
    });
  });

export type MappingsFile = z.infer<typeof mappingsFileSchema>;
export type BridgeSettings = MappingsFile['settings'];
export type NatsToKafkaMapping = MappingsFile['natsToKafka'][number];
export type KafkaToNatsMapping = MappingsFile['kafkaToNats'][number];

/** A mappings file that cannot be used; the message names the file and every problem in it. */
export class MappingConfigError extends Error {
  constructor(
    readonly source: string,
    readonly problems: { path: string; message: string }[],
  ) {
    super(
      `Invalid bridge mappings in ${source}:\n` +
        problems.map((p) => `  ${p.path || '(root)'}: ${p.message}`).join('\n'),
    );
    this.name = 'MappingConfigError';
  }
}

/** Parses and validates mappings from YAML text; `source` names it in errors. */
export function parseMappings(yamlText: string, source = 'mappings'): MappingsFile {
  const document = parseDocument(yamlText, { uniqueKeys: true });
  if (document.errors.length > 0)
    throw new MappingConfigError(
      source,
      document.errors.map((e) => ({
        path: e.linePos ? `line ${e.linePos[0].line}` : '',
        // The first line; the rest is a drawing of the spot.
        message: e.message.split('\n')[0]!.replace(/ at line \d+, column \d+:$/, ''),
      })),
    );
  const result = mappingsFileSchema.safeParse(document.toJS() ?? {});
  if (result.success) return result.data;
  throw new MappingConfigError(
    source,
    result.error.issues.map((issue) => ({ path: formatPath(issue.path), message: issue.message })),
  );
}

/** Reads and validates a mappings file. */
export function loadMappingsFile(file: string = defaultMappingsFile): MappingsFile {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new MappingConfigError(file, [{ path: '', message: (error as Error).message }]);
  }
  return parseMappings(text, file);
}

function formatPath(path: readonly PropertyKey[]): string {
  return path
    .map((part, i) =>
      typeof part === 'number' ? `[${part}]` : `${i === 0 ? '' : '.'}${String(part)}`,
    )
    .join('');
}
