import {
  freePort,
  startServiceProcess,
  type ServiceProcess,
  type ServiceProcessOptions,
} from '@platform/kit/testing';

export { freePort };
export type ApiProcess = ServiceProcess;

/**
 * Starts `npm run start:core-api` (the production composition root) as a child process and
 * waits until /readyz answers 200.
 */
export function startApiProcess(
  env: Record<string, string>,
  options: ServiceProcessOptions = {},
): Promise<ApiProcess> {
  return startServiceProcess('core-api/src/main.ts', env, options);
}
