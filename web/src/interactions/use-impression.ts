import { useEffect, useRef, type RefObject } from 'react';
import { useTracker } from '../app/services.js';
import type { InteractionRecord } from './interaction.tracker.js';

/**
 * Records one `impression` when at least half of the element has been on screen, once per mount.
 * Returns the ref to put on the element.
 */
export function useImpression<T extends Element>(
  interaction: InteractionRecord | undefined,
): RefObject<T | null> {
  const ref = useRef<T>(null);
  const tracker = useTracker();
  const key = interaction
    ? `${interaction.surface}:${interaction.eventId}:${interaction.position}`
    : '';
  const latest = useRef(interaction);
  latest.current = interaction;
  useEffect(() => {
    const element = ref.current;
    if (!element || !key || typeof IntersectionObserver === 'undefined') return;
    const observer = new IntersectionObserver(
      (entries) => {
        if (entries.some((e) => e.isIntersecting) && latest.current) {
          tracker.record({ ...latest.current, type: 'impression' });
          observer.disconnect();
        }
      },
      { threshold: 0.5 },
    );
    observer.observe(element);
    return () => observer.disconnect();
  }, [key, tracker]);
  return ref;
}
