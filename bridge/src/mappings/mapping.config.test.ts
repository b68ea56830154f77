import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { streams, topics } from '@platform/contracts';
import { describe, expect, it } from 'vitest';
import { routesOf } from '../bridge.service.js';
import { loadMappingsFile, MappingConfigError, parseMappings } from './mapping.config.js';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

function problemsOf(yaml: string): string {
  try {
    parseMappings(yaml, 'test.yaml');
  } catch (error) {
    expect(error).toBeInstanceOf(MappingConfigError);
    return (error as Error).message;
  }
  throw new Error('expected the mappings to be refused');
}

describe('bridge mappings file', () => {
  it('ships defaults: platform.> to platform.domain.v1 keyed by aggregateId, ml.models.v1 to ml.model.promoted', () => {
    const mappings = loadMappingsFile();
    const routes = routesOf(mappings);
    expect(routes.map((r) => [r.direction, r.sources, r.target, r.key, r.validate])).toEqual([
      [
        'nats-to-kafka',
        ['platform.>'],
        topics.domain,
        { from: 'payload', field: 'aggregateId' },
        'domain',
      ],
      [
        'kafka-to-nats',
        [topics.models],
        'ml.model.promoted',
        { from: 'payload', field: 'aggregateId' },
        'domain',
      ],
    ]);
    expect(routes.map((r) => [r.group, r.deadLetter])).toEqual([
      ['bridge-domain', 'platform.domain.v1.dlq'],
      ['bridge-model-promoted', 'ml.model.promoted.dlq'],
    ]);
    expect(mappings.nats.streams.map((s) => s.name)).toEqual(['PLATFORM', 'ML']);
  });

  it('declares the streams with the limits core-api declares them with', () => {
    // Either process may start first and create a stream; different limits would have each
    // update it to its own at every start.
    const declared = loadMappingsFile().nats.streams.map((s) => ({
      name: s.name,
      subjects: s.subjects,
      duplicateWindowMs: s.duplicateWindowMs,
      maxAgeMs: s.maxAgeMs,
    }));
    expect(declared).toEqual([streams.platform, streams.ml]);
    expect(streams.platform.maxAgeMs).toBe(7 * 86_400_000);
  });

  it('fills in settings and per-mapping defaults', () => {
    const mappings = parseMappings(`
kafkaToNats:
  - name: a
    topics: [t1]
    subject: s.one
`);
    expect(mappings.settings).toMatchObject({
      name: 'bridge',
      batchSize: 500,
      window: 2000,
      maxDeliveries: 5,
    });
    expect(mappings.kafkaToNats[0]).toMatchObject({
      key: { from: 'source' },
      from: 'beginning',
      concurrency: 1,
    });
    expect(
      routesOf(mappings)[0]!.forwardId({ topic: 't1', partition: 2, offset: '17' } as never),
    ).toBe('t1:2:17');
  });

  it('names the mapping and field of every problem', () => {
    const message = problemsOf(`
settings: { batchSize: 100, window: 10 }
natsToKafka:
  - name: Bad Name
    subjects: ['platform.>.x']
    topic: 'has space'
    key: { from: body }
  - name: dup
    subjects: [a.b]
    topic: t
    validate: nonsense
kafkaToNats:
  - name: dup
    topics: [t]
    subject: 'x.*'
    extra: 1
`);
    expect(message).toContain('test.yaml');
    expect(message).toMatch(/natsToKafka\[0\]\.name: must be lower-case/);
    expect(message).toMatch(/natsToKafka\[0\]\.subjects\[0\]: must be dot-separated tokens/);
    expect(message).toMatch(/natsToKafka\[0\]\.topic: must be 1 to 249/);
    expect(message).toMatch(/natsToKafka\[0\]\.key\.from/);
    expect(message).toMatch(/natsToKafka\[1\]\.validate/);
    expect(message).toMatch(
      /kafkaToNats\[0\]\.subject: must be dot-separated tokens without spaces or wildcards/,
    );
    expect(message).toMatch(/kafkaToNats\[0\]: Unrecognized key: "extra"/);
  });

  it('refuses duplicate names, a window below the batch size, and no mappings at all', () => {
    expect(
      problemsOf(`
settings: { batchSize: 100, window: 10 }
natsToKafka: [{ name: same, subjects: [a], topic: t }]
kafkaToNats: [{ name: same, topics: [t], subject: b }]
`),
    ).toMatch(
      /kafkaToNats\[0\]\.name: "same" is used twice[\s\S]*settings\.window: must be at least batchSize \(100\)/,
    );
    expect(problemsOf('settings: { name: x }')).toContain('no mappings');
  });

  it('refuses a NATS subject to publish to that no declared stream captures', () => {
    const message = problemsOf(`
nats:
  streams: [{ name: S, subjects: ['ml.>'] }]
kafkaToNats:
  - { name: a, topics: [t], subject: ml.model.promoted, deadLetter: elsewhere.dlq }
`);
    expect(message).toMatch(
      /kafkaToNats\[0\]\.deadLetter: "elsewhere\.dlq" must be captured by exactly one/,
    );
    expect(message).not.toMatch(/kafkaToNats\[0\]\.subject:/);
  });

  it('reports YAML syntax errors with their line', () => {
    expect(problemsOf('natsToKafka:\n  - name: a\n    subjects: [a\n')).toMatch(/line \d+/);
  });

  it('stops the bridge process with exit code 78 and the problem on stderr', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'bridge-mappings-'));
    const file = path.join(dir, 'bad.yaml');
    writeFileSync(
      file,
      'natsToKafka:\n  - name: a\n    subjects: [a.b]\n    topic: t\n    key: { from: header }\n',
    );
    const result = spawnSync(process.execPath, ['--import', 'tsx', 'bridge/src/main.ts'], {
      cwd: repoRoot,
      env: { PATH: process.env.PATH ?? '', BRIDGE_MAPPINGS_FILE: file, LOG_LEVEL: 'silent' },
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(result.status).toBe(78);
    expect(result.stderr).toContain(`Invalid bridge mappings in ${file}`);
    expect(result.stderr).toMatch(/natsToKafka\[0\]\.key\.name/);
  });
});
