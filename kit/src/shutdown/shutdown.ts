import type { Logger } from 'pino';

type Hook = { name: string; run: () => Promise<void> | void };

/**
 * Graceful shutdown: on SIGTERM/SIGINT run the registered hooks in reverse order of
 * registration (stop taking work first, close the things it used last), each bounded by a
 * timeout, then exit. A second signal exits at once.
 */
export class Shutdown {
  private readonly hooks: Hook[] = [];
  private running: Promise<void> | undefined;

  constructor(
    private readonly logger: Logger,
    private readonly timeoutMs = 15_000,
  ) {}

  /** Register a step; steps run last-registered first. */
  add(name: string, run: Hook['run']): this {
    this.hooks.push({ name, run });
    return this;
  }

  listen(exit: (code: number) => void = (code) => process.exit(code)): this {
    const onSignal = (signal: NodeJS.Signals) => {
      if (this.running) {
        this.logger.warn({ signal }, 'second signal, exiting now');
        exit(1);
        return;
      }
      this.logger.info({ signal }, 'shutting down');
      void this.run().then((ok) => exit(ok ? 0 : 1));
    };
    process.once('SIGTERM', onSignal);
    process.once('SIGINT', onSignal);
    return this;
  }

  /** Runs every hook once; resolves true if all finished in time. */
  async run(): Promise<boolean> {
    let ok = true;
    this.running ??= (async () => {
      for (const hook of [...this.hooks].reverse()) {
        const started = Date.now();
        try {
          await withTimeout(Promise.resolve(hook.run()), this.timeoutMs, hook.name);
          this.logger.info({ step: hook.name, ms: Date.now() - started }, 'shutdown step done');
        } catch (error) {
          ok = false;
          this.logger.error({ step: hook.name, err: error }, 'shutdown step failed');
        }
      }
    })();
    await this.running;
    return ok;
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number, name: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${name} did not finish within ${ms} ms`)), ms);
      timer.unref();
    }),
  ]);
}
