import { Counter, type Registry } from '@platform/kit';

/**
 * What people do with registrations, counted after the transaction committed. Outcomes are the
 * fixed set `register_for_event` answers (confirmed, waitlisted, existing, not-found,
 * event-draft, event-cancelled, event-started), so the label stays bounded.
 */
export function createRegistrationMetrics(registry: Registry) {
  const registers = [registry];
  return {
    registrations: new Counter({
      name: 'registrations_total',
      help: 'Registration requests answered, by outcome (confirmed, waitlisted, existing, not-found, event-draft, event-cancelled, event-started)',
      labelNames: ['outcome'] as const,
      registers,
    }),
    cancellations: new Counter({
      name: 'registration_cancellations_total',
      help: 'Registrations cancelled by the person, by the status they had (confirmed, waitlisted)',
      labelNames: ['status'] as const,
      registers,
    }),
    promotions: new Counter({
      name: 'waitlist_promotions_total',
      help: 'People moved from the waitlist to confirmed, by cause (cancellation, capacity)',
      labelNames: ['cause'] as const,
      registers,
    }),
  };
}

export type RegistrationMetrics = ReturnType<typeof createRegistrationMetrics>;
