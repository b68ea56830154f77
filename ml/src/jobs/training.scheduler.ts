import { CronExpressionParser } from 'cron-parser';
import { Queue, Worker, type ConnectionOptions, type Job } from 'bullmq';
import type { RetrainResponse } from '@platform/contracts';
import type { Logger } from '@platform/kit';
import type { Progress, TrainingOutcome } from './training.pipeline.js';

/** What core-api needs to start training and to say whether one is going on. */
export interface TrainingTrigger {
  trigger(requestedBy: string): Promise<RetrainResponse>;
  isTraining(): Promise<boolean>;
}

export type TrainingRun = (onProgress: (p: Progress) => void) => Promise<TrainingOutcome>;

export const TRAINING_QUEUE = 'ml-training';
const DEDUP_ID = 'retrain';
const jobOptions = (backoffMs = 30_000) =>
  ({
    attempts: 3,
    backoff: { type: 'exponential', delay: backoffMs },
    removeOnComplete: 100,
    removeOnFail: 100,
    // One run waiting or going on at a time, however many triggers arrive.
    deduplication: { id: DEDUP_ID },
  }) as const;

/** The schedule's own jobs wait (delayed) until their time; a deduplication key on them would
 * swallow manual triggers for up to an hour, so they go without one. The queue-wide
 * concurrency of 1 still keeps runs one at a time. */
const scheduledOptions = (backoffMs?: number) => {
  const { deduplication: _none, ...rest } = jobOptions(backoffMs);
  return rest;
};

export interface QueueSettings {
  /** BullMQ queue name (tests use their own). */
  readonly queueName?: string;
  /** First retry delay; doubles with each attempt. */
  readonly backoffMs?: number;
}

/** BullMQ connection settings from a redis:// URL (workers need maxRetriesPerRequest: null). */
export function bullConnection(url: string): ConnectionOptions {
  const u = new URL(url);
  return {
    host: u.hostname,
    port: Number(u.port || 6379),
    ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
    ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
    db: u.pathname.length > 1 ? Number(u.pathname.slice(1)) : 0,
    maxRetriesPerRequest: null,
  };
}

export function assertCron(pattern: string): string {
  CronExpressionParser.parse(pattern);
  return pattern;
}

/**
 * The production trigger (core-api side): adds a job to the BullMQ queue the ml process works
 * on. BullMQ's deduplication keeps at most one run queued or active.
 */
export class QueueTrainingTrigger implements TrainingTrigger {
  private readonly queue: Queue;

  constructor(
    connection: ConnectionOptions,
    private readonly settings: QueueSettings = {},
  ) {
    this.queue = new Queue(settings.queueName ?? TRAINING_QUEUE, { connection });
  }

  async trigger(requestedBy: string): Promise<RetrainResponse> {
    const busy = await this.isTraining();
    const job = await this.queue.add(
      'retrain',
      { requestedBy },
      jobOptions(this.settings.backoffMs),
    );
    return { jobId: job.id ?? DEDUP_ID, status: busy ? 'already-running' : 'queued' };
  }

  async isTraining(): Promise<boolean> {
    const counts = await this.queue.getJobCounts('active', 'waiting', 'prioritized');
    return (counts.active ?? 0) + (counts.waiting ?? 0) + (counts.prioritized ?? 0) > 0;
  }

  async close(): Promise<void> {
    await this.queue.close();
  }
}

/**
 * The ml process's side: a BullMQ worker with concurrency 1 (and a queue-wide concurrency of 1,
 * so several ml processes still train one at a time), the repeatable schedule as a job
 * scheduler, retries with exponential backoff (3 attempts), progress on the job.
 */
export class QueueTrainingWorker {
  readonly queue: Queue;
  private worker: Worker | undefined;

  constructor(
    private readonly deps: QueueSettings & {
      connection: ConnectionOptions;
      cron: string;
      run: TrainingRun;
      logger: Logger;
    },
  ) {
    this.queue = new Queue(deps.queueName ?? TRAINING_QUEUE, { connection: deps.connection });
  }

  async start(options: { trainNow?: boolean } = {}): Promise<void> {
    await this.queue.setGlobalConcurrency(1);
    await this.queue.upsertJobScheduler(
      'scheduled-retrain',
      { pattern: assertCron(this.deps.cron) },
      {
        name: 'retrain',
        data: { requestedBy: 'schedule' },
        opts: scheduledOptions(this.deps.backoffMs),
      },
    );
    this.worker = new Worker(
      this.deps.queueName ?? TRAINING_QUEUE,
      async (job: Job) => {
        this.deps.logger.info({ job: job.id, data: job.data as unknown }, 'training started');
        return this.deps.run((p) => {
          this.deps.logger.info(
            { job: job.id, stage: p.stage, progress: Math.round(p.ratio * 100), detail: p.detail },
            `training ${p.stage} ${Math.round(p.ratio * 100)}%`,
          );
          void job.updateProgress({ stage: p.stage, ratio: p.ratio });
        });
      },
      { connection: this.deps.connection, concurrency: 1, lockDuration: 120_000 },
    );
    this.worker.on('failed', (job, err) =>
      this.deps.logger.error(
        { job: job?.id, attempt: job?.attemptsMade, err },
        'training run failed',
      ),
    );
    if (options.trainNow) {
      await this.queue.add('retrain', { requestedBy: 'start' }, jobOptions(this.deps.backoffMs));
    }
  }

  async stop(): Promise<void> {
    await this.worker?.close();
    await this.queue.close();
  }
}

/**
 * Embedded mode's scheduler: the same cron pattern with timers, one run at a time, the same
 * retry policy, in the one process.
 */
export class InProcessTrainingScheduler implements TrainingTrigger {
  private running: Promise<void> | null = null;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private runs = 0;

  constructor(
    private readonly deps: {
      cron: string;
      run: TrainingRun;
      logger: Logger;
      attempts?: number;
      backoffMs?: number;
    },
  ) {
    assertCron(deps.cron);
  }

  start(options: { trainNow?: boolean } = {}): void {
    this.scheduleNext();
    if (options.trainNow) void this.trigger('start');
  }

  async trigger(requestedBy: string): Promise<RetrainResponse> {
    if (this.running) return { jobId: `local-${this.runs}`, status: 'already-running' };
    this.runs++;
    const jobId = `local-${this.runs}`;
    this.running = this.runWithRetries(jobId, requestedBy).finally(() => {
      this.running = null;
    });
    return { jobId, status: 'queued' };
  }

  async isTraining(): Promise<boolean> {
    return this.running !== null;
  }

  /** Resolves when the current run (if any) has finished. */
  async idle(): Promise<void> {
    await this.running;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  private scheduleNext(): void {
    if (this.stopped) return;
    const next = CronExpressionParser.parse(this.deps.cron).next().getTime();
    this.timer = setTimeout(
      () => {
        void this.trigger('schedule');
        this.scheduleNext();
      },
      Math.max(1_000, next - Date.now()),
    );
    this.timer.unref();
  }

  private async runWithRetries(jobId: string, requestedBy: string): Promise<void> {
    const attempts = this.deps.attempts ?? 3;
    const log = this.deps.logger;
    for (let attempt = 1; attempt <= attempts && !this.stopped; attempt++) {
      try {
        log.info({ jobId, requestedBy, attempt }, 'training started');
        await this.deps.run((p) =>
          log.info(
            { jobId, stage: p.stage, progress: Math.round(p.ratio * 100), detail: p.detail },
            `training ${p.stage} ${Math.round(p.ratio * 100)}%`,
          ),
        );
        return;
      } catch (err) {
        log.error({ jobId, attempt, err }, 'training run failed');
        if (attempt < attempts) {
          await new Promise((r) =>
            setTimeout(r, (this.deps.backoffMs ?? 30_000) * 2 ** (attempt - 1)),
          );
        }
      }
    }
  }
}
