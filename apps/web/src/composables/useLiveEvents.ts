import { onScopeDispose } from 'vue';
import { useLiveEventsStore, type LiveEvent, type LiveEventType } from '../stores/live-events';

export interface UseLiveEventsOptions {
  /** Event types wanted; `reset` (the stream could not resume: re-read your view) always comes. */
  types: readonly LiveEventType[];
  onEvent: (event: LiveEvent) => void;
}

/** Live events for the current component, unsubscribed when its scope ends. */
export function useLiveEvents(options: UseLiveEventsOptions): void {
  const store = useLiveEventsStore();
  const wanted = new Set<LiveEventType>([...options.types, 'reset']);
  const unsubscribe = store.subscribe((event) => {
    if (wanted.has(event.type)) options.onEvent(event);
  });
  onScopeDispose(unsubscribe);
}
