/**
 * `npm run bench:web`: production build of the web app, then the gzip size of the JavaScript a
 * first visit downloads (the entry chunk and everything it imports statically) and of all the
 * JavaScript (the lazy organizer, admin and chart chunks too). Budget: initial JS <= 250 KB gzip.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import {
  describeMachine,
  machine,
  progress,
  round,
  updateReadme,
  writeResult,
} from './lib/report.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const dist = path.join(root, 'web/dist');
const BUDGET_KB = 250;

interface ManifestChunk {
  file: string;
  isEntry?: boolean;
  imports?: string[];
  dynamicImports?: string[];
  css?: string[];
}

interface Sized {
  file: string;
  bytes: number;
  gzip: number;
}

const size = (file: string): Sized => {
  const content = readFileSync(path.join(dist, file));
  // zlib's default level (6), what a web server typically sends.
  return { file, bytes: content.length, gzip: gzipSync(content).length };
};
const total = (files: Sized[]) => ({
  bytes: files.reduce((s, f) => s + f.bytes, 0),
  gzip: files.reduce((s, f) => s + f.gzip, 0),
});
const kb = (n: number) => round(n / 1000, 1);

progress('building web/ (vite build --manifest)');
const started = performance.now();
execFileSync('npm', ['run', 'build', '--workspace', 'web', '--silent', '--', '--manifest'], {
  cwd: root,
  stdio: ['ignore', 'ignore', 'inherit'],
});
const buildSeconds = round((performance.now() - started) / 1000, 2);

const manifest = JSON.parse(readFileSync(path.join(dist, '.vite/manifest.json'), 'utf8')) as Record<
  string,
  ManifestChunk
>;
// The entry and the closure of its static imports: what the first page load must fetch.
const initialKeys = new Set<string>();
const visit = (key: string) => {
  if (initialKeys.has(key)) return;
  initialKeys.add(key);
  for (const imported of manifest[key]?.imports ?? []) visit(imported);
};
for (const [key, chunk] of Object.entries(manifest)) if (chunk.isEntry) visit(key);
const initial = [...initialKeys]
  .map((k) => size(manifest[k]!.file))
  .filter((f) => f.file.endsWith('.js'));
const initialCss = [...initialKeys].flatMap((k) => manifest[k]!.css ?? []).map(size);

const assets = readdirSync(path.join(dist, 'assets'));
const allJs = assets.filter((f) => f.endsWith('.js')).map((f) => size(`assets/${f}`));
const allCss = assets.filter((f) => f.endsWith('.css')).map((f) => size(`assets/${f}`));
const lazy = allJs.filter((f) => !initial.some((i) => i.file === f.file));

const m = machine();
const result = {
  machine: m,
  buildSeconds,
  budgetKbGzip: BUDGET_KB,
  initialJs: { ...total(initial), files: initial },
  allJs: { ...total(allJs), files: allJs },
  lazyJs: { ...total(lazy), files: lazy },
  initialCss: { ...total(initialCss), files: initialCss },
  allCss: { ...total(allCss), files: allCss },
};
const file = writeResult('web-size', result);

const initialKb = kb(result.initialJs.gzip);
const within = initialKb <= BUDGET_KB;
const lazyList = lazy
  .map((f) => `\`${f.file.replace(/^assets\//, '').replace(/-[\w-]{8}\.js$/, '')}\` ${kb(f.gzip)}`)
  .join(', ');
updateReadme(
  'web',
  `
### Web app size: \`npm run bench:web\`

Production build of \`web/\` (Vite, React 19, React Router, TanStack Query), sizes gzip-compressed at zlib's default level, on ${describeMachine(m)}. Measured ${m.date.slice(0, 10)}.

| measure | KB raw | KB gzip | target |
|---|---|---|---|
| initial JS (entry chunk + its static imports, ${initial.length} files) | ${kb(result.initialJs.bytes)} | **${initialKb}** | <= ${BUDGET_KB} gzip |
| all JS (with the lazy organizer, admin and chart chunks, ${allJs.length} files) | ${kb(result.allJs.bytes)} | ${kb(result.allJs.gzip)} | |
| initial CSS | ${kb(result.initialCss.bytes)} | ${kb(result.initialCss.gzip)} | |

Initial JS ${within ? 'is within' : '**exceeds**'} the budget. Loaded on first visit of their route only (KB gzip): ${lazyList}. zod stays out of the bundle: the app imports only types from \`@platform/contracts\` and leaves validation to the API. Build took ${buildSeconds} s. Raw figures: \`bench/results/web-size.json\`.
`,
);
progress(
  `initial JS ${initialKb} KB gzip (budget ${BUDGET_KB}), all JS ${kb(result.allJs.gzip)} KB gzip; ${file}`,
);
if (!within) process.exitCode = 1;
