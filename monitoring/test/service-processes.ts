import { createConnection } from 'node:net';
import { startServiceProcess, type ServiceProcess } from '@platform/kit/testing';

export type { ServiceProcess };

/** Whether something already listens on 127.0.0.1:port. */
export function portInUse(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/**
 * Starts `<name>/src/main.ts` in production mode, as `npm run start:<name>` does, on its default
 * port (the one Prometheus scrapes), and waits until /readyz answers 200. `stop` sends SIGTERM
 * and kills the process if it has not exited 15 s later.
 */
export async function startService(
  name: string,
  port: number,
  env: Record<string, string>,
  timeoutMs = 60_000,
): Promise<ServiceProcess> {
  const service = await startServiceProcess(
    `${name}/src/main.ts`,
    { ...env, PORT: String(port) },
    { timeoutMs },
  );
  return {
    ...service,
    stop: async (signal = 'SIGTERM') => {
      const timer = setTimeout(() => service.child.kill('SIGKILL'), 15_000);
      const code = await service.stop(signal);
      clearTimeout(timer);
      return code;
    },
  };
}
