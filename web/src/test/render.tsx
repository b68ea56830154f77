import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { render } from '@testing-library/react';
import type { ReactElement } from 'react';
import { createMemoryRouter, RouterProvider, type RouteObject } from 'react-router';
import { ApiClient } from '../api/api-client.js';
import { ServicesProvider, type Services } from '../app/services.js';
import { SessionStore } from '../auth/session.store.js';
import { InteractionTracker } from '../interactions/interaction.tracker.js';

/** A fetch that answers from a table of `METHOD /path` -> handler, and records every call. */
export function fakeFetch(
  routes: Record<string, (url: URL, init: RequestInit) => { status?: number; body?: unknown }>,
) {
  const calls: { method: string; url: URL; body: unknown }[] = [];
  const fn = async (input: RequestInfo | URL, init: RequestInit = {}) => {
    const url = new URL(String(input), 'http://app.test');
    const method = init.method ?? 'GET';
    calls.push({ method, url, body: init.body ? JSON.parse(String(init.body)) : undefined });
    const handler = routes[`${method} ${url.pathname}`];
    const { status = 200, body } = handler
      ? handler(url, init)
      : { status: 404, body: { type: 'about:blank', title: 'Not found', status: 404 } };
    return new Response(body === undefined ? null : JSON.stringify(body), {
      status,
      headers: { 'content-type': status >= 400 ? 'application/problem+json' : 'application/json' },
    });
  };
  return { fetch: fn as typeof fetch, calls };
}

export interface Harness {
  services: Services;
  recorded: unknown[];
  router: ReturnType<typeof createMemoryRouter>;
}

/** Renders `element` at `path` with real services over a fake fetch, and a memory router. */
export function renderWithApp(
  element: ReactElement,
  options: { fetch: typeof fetch; path?: string; routes?: RouteObject[] },
) {
  const api = new ApiClient({ fetch: options.fetch });
  const recorded: unknown[] = [];
  const tracker = new InteractionTracker({
    post: async () => undefined,
    sessionId: 'test-session',
    batchSize: 1_000,
  });
  const record = tracker.record.bind(tracker);
  tracker.record = (i) => {
    recorded.push(i);
    record(i);
  };
  const services: Services = { api, session: new SessionStore(api), tracker };
  const queryClient = new QueryClient({
    defaultOptions: { queries: { retry: false }, mutations: { retry: false } },
  });
  const router = createMemoryRouter(
    [{ path: '/', element }, ...(options.routes ?? []), { path: '*', element: <p>other page</p> }],
    { initialEntries: [options.path ?? '/'] },
  );
  const result = render(
    <ServicesProvider services={services}>
      <QueryClientProvider client={queryClient}>
        <RouterProvider router={router} />
      </QueryClientProvider>
    </ServicesProvider>,
  );
  return { ...result, services, recorded, router };
}
