import { QueryClientProvider } from '@tanstack/react-query';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { RouterProvider } from 'react-router';
import { ApiClient } from './api/api-client.js';
import { createRouter } from './app/app.routes.js';
import { createQueryClient } from './app/query-client.js';
import { ServicesProvider, type Services } from './app/services.js';
import { SessionStore } from './auth/session.store.js';
import { browserSessionId, InteractionTracker } from './interactions/interaction.tracker.js';
import './ui/styles.css';

/** Composition root of the web app: one API client, session, tracker and query cache. */
const api = new ApiClient({ locks: navigator.locks });
const session = new SessionStore(api);
const tracker = new InteractionTracker({
  post: (batch) => api.post('/v1/interactions', batch),
  beacon: (url, body) => navigator.sendBeacon(url, body),
  sessionId: browserSessionId(sessionStorage),
});
tracker.start(window);
void session.restore();

const services: Services = { api, session, tracker };
const queryClient = createQueryClient();
const router = createRouter();

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <ServicesProvider services={services}>
      <QueryClientProvider client={queryClient}>
        <RouterProvider router={router} />
      </QueryClientProvider>
    </ServicesProvider>
  </StrictMode>,
);
