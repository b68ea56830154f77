/**
 * One sample from Prometheus exposition text: the value of the series `name` whose labels
 * include `labels`, or 0 when there is none (a counter nobody incremented yet).
 */
export function metricSample(
  exposition: string,
  name: string,
  labels: Record<string, string> = {},
): number {
  const line = exposition
    .split('\n')
    .find(
      (l) =>
        (l.startsWith(`${name}{`) || l.startsWith(`${name} `)) &&
        Object.entries(labels).every(([k, v]) => l.includes(`${k}="${v}"`)),
    );
  return line ? Number(line.split(' ').at(-1)) : 0;
}
