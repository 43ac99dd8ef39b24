import { onScopeDispose } from 'vue';
import type { LiveEvent } from '../../stores/live-events';
import { useLiveEvents } from '../../composables/useLiveEvents';

export interface UseLiveReloadOptions {
  /** Event types that may change what the view shows (`reset` always counts). */
  types: readonly string[];
  /** Only events this accepts count; every event of `types` otherwise. */
  filter?: (event: LiveEvent) => boolean;
  /** Re-reads the view. */
  reload: () => unknown;
  /** Events within this window cause one re-read, at its end. @default 400 */
  delayMs?: number;
}

/**
 * Re-reads a view when live events say it changed, at most once per `delayMs`: a fleet of
 * thousands reconnecting after a restart costs one read per window, not one per agent.
 */
export function useLiveReload(options: UseLiveReloadOptions): void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  useLiveEvents({
    types: options.types,
    onEvent: (event) => {
      if (event.type !== 'reset' && options.filter !== undefined && !options.filter(event)) return;
      timer ??= setTimeout(() => {
        timer = undefined;
        options.reload();
      }, options.delayMs ?? 400);
    },
  });
  onScopeDispose(() => clearTimeout(timer));
}
