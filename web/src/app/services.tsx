import { createContext, useContext, useSyncExternalStore, type ReactNode } from 'react';
import type { ApiClient } from '../api/api-client.js';
import type { SessionState, SessionStore } from '../auth/session.store.js';
import type { InteractionTracker } from '../interactions/interaction.tracker.js';

/** What the composition root (main.tsx) hands every component. */
export interface Services {
  api: ApiClient;
  session: SessionStore;
  tracker: InteractionTracker;
}

const ServicesContext = createContext<Services | null>(null);

export function ServicesProvider({
  services,
  children,
}: {
  services: Services;
  children: ReactNode;
}) {
  return <ServicesContext.Provider value={services}>{children}</ServicesContext.Provider>;
}

export function useServices(): Services {
  const services = useContext(ServicesContext);
  if (!services) throw new Error('useServices outside ServicesProvider');
  return services;
}

export const useApi = (): ApiClient => useServices().api;
export const useTracker = (): InteractionTracker => useServices().tracker;

export function useSession(): SessionState {
  const { session } = useServices();
  return useSyncExternalStore(session.subscribe, session.snapshot);
}
