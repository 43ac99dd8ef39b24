import { onScopeDispose } from 'vue';
import type { LiveEvent, LiveEventType } from '../../stores/live-events';
import { useLiveEvents } from '../../composables/useLiveEvents';

export interface UseLiveReloadOptions {
  /** Event types that may change what the view shows (`reset` always counts). */
  types: readonly LiveEventType[];
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
/** The agent an event is about, when it is about one (`agent.*`, `run.changed`). */
export function eventAgentId(event: LiveEvent): string | undefined {
  return 'agentId' in event ? event.agentId : undefined;
}

/** The event says this agent was deleted: there is nothing left to re-read. */
export function isAgentDeleted(event: LiveEvent, agentId: string): boolean {
  return event.type === 'agent.changed' && event.change === 'deleted' && event.agentId === agentId;
}

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
