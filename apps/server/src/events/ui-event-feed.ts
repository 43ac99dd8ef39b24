import type { UiEvent } from '@flotilla/protocol';
import type { ClusterEvents, Unsubscribe } from '../cluster/cluster-bus.js';
import type { ClusterEvent } from '../cluster/cluster-messages.js';
import type { Scope } from '../store/scope.js';
import type { UiEventRing } from './ui-event-ring.js';

/** The event a cluster event is for the UI: without its scope (which decides who sees it). */
function uiEventOf(event: ClusterEvent): UiEvent {
  switch (event.type) {
    case 'agent.changed':
      return { type: event.type, agentId: event.agentId, change: event.change };
    case 'agent.pending':
      return { type: event.type, agentId: event.agentId, name: event.name, keyChange: event.keyChange };
    case 'job.created':
      return { type: event.type, jobId: event.jobId };
    case 'run.changed': {
      const { type, jobId, runId, agentId, jobState, runState } = event;
      return { type, jobId, runId, agentId, jobState, runState };
    }
    case 'job.logs': {
      const { type, jobId, runId, fromSeq, toSeq } = event;
      return { type, jobId, runId, fromSeq, toSeq };
    }
    case 'rollout.changed':
      return { type: event.type, jobId: event.jobId, activeBatch: event.activeBatch };
    default: {
      const never: never = event;
      throw new Error(`unknown cluster event ${String(never)}`);
    }
  }
}

/** A cluster event as the ring keeps it: the UI event, its scope beside it. */
export function toUiEvent(event: ClusterEvent): Scope & { event: UiEvent } {
  return { tenantId: event.tenantId, projectId: event.projectId, event: uiEventOf(event) };
}

/**
 * Feeds every UI-relevant event of the cluster bus into the ring, from now on (for the life of
 * the server: a stream resumes from the ring even when no stream was open in between).
 */
export function feedRing(events: ClusterEvents, ring: UiEventRing): Unsubscribe {
  const keep = (event: ClusterEvent) => void ring.push(toUiEvent(event));
  const subscriptions = [
    events.subscribe('agent.changed', keep),
    events.subscribe('agent.pending', keep),
    events.subscribe('job.created', keep),
    events.subscribe('run.changed', keep),
    events.subscribe('job.logs', keep),
    events.subscribe('rollout.changed', keep),
  ];
  return () => {
    for (const unsubscribe of subscriptions) unsubscribe();
  };
}
