import type { FastifyBaseLogger } from 'fastify';
import type { AgentChange } from '@flotilla/protocol';
import type { ClusterBus } from '../cluster/cluster-bus.js';
import type { ClusterEvent } from '../cluster/cluster-messages.js';
import type { AgentRow } from './agent-repo.js';
import type { TrustChange } from './approve-agent.js';
import type { EnrollAgentResult } from './enroll-agent.js';

/** Where an agent change is announced, and where a failure to announce it is reported. */
export interface AgentAnnouncer {
  readonly bus: ClusterBus;
  readonly log: FastifyBaseLogger;
}

/**
 * Publishes, after the commit, what an admin or an enrolment changed about agents, for live
 * views on every replica. The change is stored already: a bus that fails to carry the news is
 * logged, never turned into a failed request (the views catch up when they re-read).
 */
async function publish(announcer: AgentAnnouncer, events: ClusterEvent[]): Promise<void> {
  for (const event of events) {
    try {
      await announcer.bus.events.publish(event);
    } catch (err) {
      announcer.log.warn({ err, type: event.type }, 'cluster event not published');
    }
  }
}

function changed(agent: Pick<AgentRow, 'id' | 'tenant_id' | 'project_id'>, change: AgentChange): ClusterEvent {
  return { type: 'agent.changed', tenantId: agent.tenant_id, projectId: agent.project_id, agentId: agent.id, change };
}

/** An agent's trust or labels changed (`enabled`, `labels`…). */
export function announceAgentChange(announcer: AgentAnnouncer, agent: AgentRow, change: AgentChange): Promise<void> {
  return publish(announcer, [changed(agent, change)]);
}

/**
 * A trust change: `change` for its agent, and `revoked` for every other agent it disconnected
 * (approving a key change revokes the record whose key it replaces, in the same scope).
 */
export function announceTrustChange(announcer: AgentAnnouncer, trust: TrustChange, change: AgentChange): Promise<void> {
  const others = trust.disconnect.filter((id) => id !== trust.agent.id);
  return publish(announcer, [
    changed(trust.agent, change),
    ...others.map((id) => changed({ ...trust.agent, id }, 'revoked')),
  ]);
}

/** An enrolment: a new record waiting for approval is `agent.pending`, an approved one `enrolled`. */
export function announceEnrolment(announcer: AgentAnnouncer, name: string, result: EnrollAgentResult): Promise<void> {
  if (result.outcome === 'unchanged') return Promise.resolve();
  const scope = { tenantId: result.scope.tenantId, projectId: result.scope.projectId };
  const event: ClusterEvent =
    result.status === 'pending'
      ? { type: 'agent.pending', ...scope, agentId: result.agentId, name, keyChange: result.outcome === 'key-change' }
      : { type: 'agent.changed', ...scope, agentId: result.agentId, change: 'enrolled' };
  return publish(announcer, [event]);
}
