/**
 * `npm run bench:registrations`: a ticket drop against the real PostgreSQL and two core-api
 * processes on this machine (needs `npm run services:up`).
 *
 * 1. Closed loop, "as fast as the server takes them": 10,000 registration attempts by distinct
 *    people for 100 seats, 64 in flight, spread over both processes.
 * 2. Open loop at a fixed 1,000 requests/s for 10 s (10,000 more people, a new 100-seat event);
 *    latency is measured from each request's scheduled send time, so a stall is not hidden.
 * 3. Reference in the same run: pgbench's transactions/s for a single-row UPDATE (one hot row,
 *    as an event row is) on the same server.
 * Oversold seats and invariants are read back from SQL. Traffic goes to 127.0.0.1 only.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  freshDatabase,
  futureEvent,
  startApiProcess,
  type ApiProcess,
} from '@platform/core-api/testing';
import { newId } from '@platform/kit';
import { createKysely } from '@platform/kit/sql';
import { SignJWT } from 'jose';
import { sql } from 'kysely';
import { Pool } from 'undici';
import {
  describeMachine,
  machine,
  percentile,
  progress,
  round,
  updateReadme,
  writeResult,
} from './lib/report.js';

const ATTEMPTS = 10_000;
const SEATS = 100;
const CLOSED_LOOP_CONCURRENCY = 64;
const OPEN_LOOP_RATE = 1_000;
const PGBENCH_SECONDS = 10;

interface Sample {
  latencyMs: number;
  status: number;
  outcome?: string;
  doneAt: number;
}

const jwtSecret = randomBytes(32).toString('hex');
const key = new TextEncoder().encode(jwtSecret);
const sign = (sub: string) =>
  new SignJWT({ role: 'user' })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(sub)
    .setIssuer('events-platform')
    .setAudience('events-platform-api')
    .setIssuedAt()
    .setExpirationTime('1h')
    .sign(key);

progress('creating a fresh database on the local PostgreSQL');
const database = await freshDatabase('postgres');
const db = createKysely<Record<string, Record<string, unknown>>>(database.sql);
let apis: ApiProcess[] = [];

try {
  progress(`inserting ${2 * ATTEMPTS + 1} people and signing their access tokens`);
  const ids = Array.from({ length: 2 * ATTEMPTS + 1 }, () => newId());
  for (let i = 0; i < ids.length; i += 5_000) {
    await db
      .insertInto('users')
      .values(
        ids.slice(i, i + 5_000).map((id, j) => ({
          id,
          email: `bench-${i + j}@example.com`,
          name: `Bench ${i + j}`,
          password_hash: 'unused',
        })),
      )
      .execute();
  }
  const tokens = await Promise.all(ids.map(sign));

  progress('starting two core-api processes (npm run start:core-api)');
  const env = {
    DATABASE_URL: database.url!,
    JWT_SECRET: jwtSecret,
    RATE_LIMIT: 'off',
    LOG_LEVEL: 'warn',
    DATABASE_POOL_SIZE: '16',
  };
  apis = await Promise.all([startApiProcess(env), startApiProcess(env)]);
  const pools = apis.map(
    (a) => new Pool(a.base, { connections: 128, pipelining: 1, keepAliveTimeout: 60_000 }),
  );
  const organizer = tokens[0]!;

  const publishedEvent = async () => {
    const created = await pools[0]!.request({
      path: '/v1/events',
      method: 'POST',
      headers: { authorization: `Bearer ${organizer}`, 'content-type': 'application/json' },
      body: JSON.stringify(futureEvent({ capacity: SEATS, title: 'Ticket drop' })),
    });
    const { id } = (await created.body.json()) as { id: string };
    const published = await pools[1]!.request({
      path: `/v1/events/${id}/publish`,
      method: 'POST',
      headers: { authorization: `Bearer ${organizer}` },
    });
    await published.body.dump();
    if (published.statusCode !== 200) throw new Error(`publish failed: ${published.statusCode}`);
    return id;
  };

  const register = async (
    eventId: string,
    person: number,
    scheduledAt: number,
  ): Promise<Sample> => {
    const pool = pools[person % pools.length]!;
    try {
      const res = await pool.request({
        path: `/v1/events/${eventId}/registrations`,
        method: 'POST',
        headers: { authorization: `Bearer ${tokens[person]}` },
      });
      const body = (await res.body.json()) as { status?: string };
      const doneAt = performance.now();
      return {
        latencyMs: doneAt - scheduledAt,
        status: res.statusCode,
        outcome: body.status,
        doneAt,
      };
    } catch {
      const doneAt = performance.now();
      return { latencyMs: doneAt - scheduledAt, status: 0, doneAt };
    }
  };

  const summarize = (samples: Sample[], started: number) => {
    const durationS = (Math.max(...samples.map((s) => s.doneAt)) - started) / 1000;
    const latencies = samples.map((s) => s.latencyMs).sort((a, b) => a - b);
    const confirmedAt = samples
      .filter((s) => s.outcome === 'confirmed')
      .map((s) => s.doneAt)
      .sort((a, b) => a - b);
    const confirmedWindowS = confirmedAt.length ? (confirmedAt.at(-1)! - started) / 1000 : NaN;
    return {
      attempts: samples.length,
      durationS: round(durationS, 2),
      attemptsPerS: round(samples.length / durationS, 0),
      confirmed: confirmedAt.length,
      waitlisted: samples.filter((s) => s.outcome === 'waitlisted').length,
      /** Seats confirmed per second while seats lasted (first request to the last confirmation). */
      confirmedPerS: round(confirmedAt.length / confirmedWindowS, 0),
      p50Ms: round(percentile(latencies, 50), 2),
      p99Ms: round(percentile(latencies, 99), 2),
      maxMs: round(latencies.at(-1)!, 2),
      errors: samples.filter((s) => s.status < 200 || s.status >= 300).length,
      serverErrors: samples.filter((s) => s.status >= 500).length,
      networkErrors: samples.filter((s) => s.status === 0).length,
    };
  };

  // Warm-up: JIT, connection pools, PostgreSQL caches (on its own event).
  progress('warming up');
  const warm = await publishedEvent();
  await Promise.all(
    Array.from({ length: 400 }, (_, i) => register(warm, i + 1, performance.now())),
  );

  progress(
    `phase 1: ${ATTEMPTS} attempts for ${SEATS} seats, ${CLOSED_LOOP_CONCURRENCY} in flight`,
  );
  const closedEvent = await publishedEvent();
  const closedSamples: Sample[] = [];
  let next = 1;
  const closedStart = performance.now();
  const ticker = setInterval(() => progress(`  ${closedSamples.length}/${ATTEMPTS}`), 1_000);
  await Promise.all(
    Array.from({ length: CLOSED_LOOP_CONCURRENCY }, async () => {
      while (next <= ATTEMPTS) {
        const person = next++;
        closedSamples.push(await register(closedEvent, person, performance.now()));
      }
    }),
  );
  clearInterval(ticker);
  const closed = summarize(closedSamples, closedStart);
  progress(`  ${closed.attemptsPerS} attempts/s, p99 ${closed.p99Ms} ms`);

  progress(`phase 2: ${OPEN_LOOP_RATE} requests/s for ${ATTEMPTS / OPEN_LOOP_RATE} s`);
  const openEvent = await publishedEvent();
  const openStart = performance.now();
  const pending: Promise<Sample>[] = [];
  for (let i = 0; i < ATTEMPTS;) {
    const due = Math.floor(((performance.now() - openStart) * OPEN_LOOP_RATE) / 1000);
    while (i < ATTEMPTS && i <= due) {
      const scheduledAt = openStart + (i * 1000) / OPEN_LOOP_RATE;
      pending.push(register(openEvent, ATTEMPTS + 1 + i, scheduledAt));
      i++;
    }
    if (i % 2_000 === 0) progress(`  sent ${i}/${ATTEMPTS}`);
    await new Promise((r) => setTimeout(r, 1));
  }
  const openSamples = await Promise.all(pending);
  const open = summarize(openSamples, openStart);
  progress(`  p50 ${open.p50Ms} ms, p99 ${open.p99Ms} ms`);

  progress('reading invariants back from SQL');
  const { rows: invariants } = await sql<{
    id: string;
    capacity: number;
    confirmed: number;
    waitlisted: number;
    positions_ok: boolean;
  }>`
    SELECT e.id, e.capacity,
      (SELECT count(*)::int FROM registrations r WHERE r.event_id = e.id AND r.status = 'confirmed') AS confirmed,
      (SELECT count(*)::int FROM registrations r WHERE r.event_id = e.id AND r.status = 'waitlisted') AS waitlisted,
      e.confirmed_count = (SELECT count(*) FROM registrations r WHERE r.event_id = e.id AND r.status = 'confirmed')
        AND e.waitlist_count = (SELECT count(*) FROM registrations r WHERE r.event_id = e.id AND r.status = 'waitlisted') AS positions_ok
    FROM events e WHERE e.id IN (${closedEvent}, ${openEvent})`.execute(db);
  const oversold = invariants.reduce((n, r) => n + Math.max(0, r.confirmed - r.capacity), 0);
  await Promise.all(pools.map((p) => p.close()));
  await Promise.all(apis.map((a) => a.stop()));
  apis = [];

  progress(`reference: pgbench, single-row UPDATE, ${PGBENCH_SECONDS} s`);
  const dir = mkdtempSync(path.join(tmpdir(), 'pgbench-'));
  const script = path.join(dir, 'update.sql');
  writeFileSync(script, 'UPDATE bench_counter SET n = n + 1 WHERE id = 1;\n');
  await database.sql.query(
    'CREATE TABLE bench_counter (id int PRIMARY KEY, n bigint NOT NULL); INSERT INTO bench_counter VALUES (1, 0);',
  );
  const url = new URL(database.url!);
  const pgbenchOut = execFileSync(
    'pgbench',
    [
      '-n',
      '-c',
      String(CLOSED_LOOP_CONCURRENCY / 2),
      '-j',
      '2',
      '-T',
      String(PGBENCH_SECONDS),
      '-f',
      script,
      '-h',
      url.hostname,
      '-p',
      url.port || '5432',
      '-U',
      decodeURIComponent(url.username),
      url.pathname.slice(1),
    ],
    { encoding: 'utf8', env: { ...process.env, PGPASSWORD: decodeURIComponent(url.password) } },
  );
  const pgbenchTps = Number(/tps = ([\d.]+)/.exec(pgbenchOut)?.[1]);

  const result = {
    benchmark: 'registrations',
    machine: machine(),
    setup: {
      apiProcesses: 2,
      seats: SEATS,
      attemptsPerPhase: ATTEMPTS,
      closedLoopConcurrency: CLOSED_LOOP_CONCURRENCY,
      openLoopRate: OPEN_LOOP_RATE,
    },
    closedLoop: closed,
    openLoop: open,
    oversold,
    invariantsHold: invariants.every((r) => r.positions_ok) && oversold === 0,
    reference: {
      pgbenchSingleRowUpdateTps: round(pgbenchTps, 0),
      clients: CLOSED_LOOP_CONCURRENCY / 2,
    },
    ratios: {
      attemptsPerSToPgbenchTps: round(closed.attemptsPerS / pgbenchTps, 3),
      confirmedPerSToPgbenchTps: round(closed.confirmedPerS / pgbenchTps, 3),
    },
    targets: {
      attemptsPerS: { target: '>= 1500', met: closed.attemptsPerS >= 1500 },
      openLoopP99Ms: { target: '<= 50', met: open.p99Ms <= 50 },
      oversold: { target: '0', met: oversold === 0 },
      serverErrors: { target: '0', met: closed.serverErrors + open.serverErrors === 0 },
    },
  };
  const file = writeResult('registrations', result);
  updateReadme(
    'registrations',
    `### Registrations: \`npm run bench:registrations\`

Ticket drop: 10,000 attempts by distinct people for 100 seats, two core-api processes, real PostgreSQL 15, all on one machine: ${describeMachine(result.machine)}. Measured ${result.machine.date.slice(0, 10)}.

| measure | closed loop (64 in flight) | open loop (1,000 req/s) | target |
|---|---|---|---|
| attempts/s | ${closed.attemptsPerS} | ${open.attemptsPerS} | >= 1,500 (closed loop) |
| confirmed/s while seats lasted | ${closed.confirmedPerS} | ${open.confirmedPerS} | |
| latency p50 / p99 / max (ms) | ${closed.p50Ms} / ${closed.p99Ms} / ${closed.maxMs} | ${open.p50Ms} / ${open.p99Ms} / ${open.maxMs} | p99 <= 50 ms at 1,000 req/s |
| confirmed / waitlisted | ${closed.confirmed} / ${closed.waitlisted} | ${open.confirmed} / ${open.waitlisted} | 100 / 9,900 |
| errors (5xx) | ${closed.errors} (${closed.serverErrors}) | ${open.errors} (${open.serverErrors}) | 0 |
| oversold (from SQL) | ${oversold} | | 0 |

Reference in the same run: pgbench, single-row \`UPDATE\` on one hot row, ${CLOSED_LOOP_CONCURRENCY / 2} clients: **${result.reference.pgbenchSingleRowUpdateTps} tps**. Registrations/s : pgbench tps = **${result.ratios.attemptsPerSToPgbenchTps}**; confirmed/s : pgbench tps = ${result.ratios.confirmedPerSToPgbenchTps}. Every attempt is decided under the event's row lock and writes its registration, the event's counters and an outbox message; each API process sends the attempts that arrive while its previous call is in flight as one batch (one lock, one commit), which is how registrations/s can approach a single-row UPDATE's tps. Raw figures: \`bench/results/registrations.json\`.`,
  );
  progress(`wrote ${file} and bench/README.md`);
  console.log(JSON.stringify(result, null, 2));
} finally {
  await Promise.all(apis.map((a) => a.stop()));
  await database.drop();
}
