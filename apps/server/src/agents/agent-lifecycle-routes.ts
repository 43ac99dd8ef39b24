import type { FastifyInstance, FastifyRequest } from 'fastify';
import { apiRoutes, FlotillaError } from '@flotilla/protocol';
import type { Agent, AgentChange } from '@flotilla/protocol';
import { route } from '../http/contract-route.js';
import type { ServerContext } from '../server-context.js';
import { auditContextOf } from '../audit/audit-context.js';
import type { AuditAction } from '../audit/audit-log.js';
import { announceAgentChange, announceTrustChange } from './agent-announcements.js';
import { getAgent, toAgent } from './agent-repo.js';
import { listConnections } from '../hub/connection-history.js';
import { bulkLabelAgents } from './bulk-labels.js';
import { deleteAgent, disableAgent, enableAgent, rejectAgent, updateAgentLabels } from './agent-lifecycle.js';
import type { TrustChange } from './approve-agent.js';

const agents = apiRoutes.agents;

/** What live views hear for each trust change that withdraws trust. */
const WITHDRAWN: Record<WithdrawAction, AgentChange> = {
  'agent.reject': 'rejected',
  'agent.disable': 'disabled',
  'agent.delete': 'deleted',
};

type WithdrawAction = Extract<AuditAction, 'agent.reject' | 'agent.disable' | 'agent.delete'>;

/**
 * The rest of the agent trust lifecycle (approve and revoke are in `agent-routes.ts`): reject a
 * pending agent, disable/enable, delete, edit labels (of one agent or many), and the connection
 * history. Every change is audited; every change that withdraws trust closes the agent's
 * connection at once.
 */
export function agentLifecycleRoutes(app: FastifyInstance, ctx: ServerContext): Promise<void> {
  const db = ctx.store.db;

  const withdraw = async (request: FastifyRequest, action: WithdrawAction, change: TrustChange): Promise<Agent> => {
    ctx.hub.disconnect(
      change.disconnect,
      'AGENT_REVOKED',
      `agent ${change.agent.name} is ${action === 'agent.delete' ? 'deleted' : change.agent.approval}`,
    );
    await ctx.audit.record({
      ...auditContextOf(request),
      action,
      objectType: 'agent',
      objectId: change.agent.id,
      change: { name: change.agent.name, approval: change.agent.approval },
    });
    await announceTrustChange({ bus: ctx.bus, log: request.log }, change, WITHDRAWN[action]);
    request.log.info({ agentId: change.agent.id, action }, 'agent trust changed');
    return toAgent(change.agent);
  };

  route(app, agents.reject, async ({ request, principal, params: { id } }) =>
    withdraw(request, 'agent.reject', await rejectAgent(db, principal, id)),
  );

  route(app, agents.disable, async ({ request, principal, params: { id } }) =>
    withdraw(request, 'agent.disable', await disableAgent(db, principal, id)),
  );

  route(app, agents.enable, async ({ request, principal, params: { id } }) => {
    const agent = await enableAgent(db, principal, id);
    await ctx.audit.record({
      ...auditContextOf(request),
      action: 'agent.enable',
      objectType: 'agent',
      objectId: id,
      change: { name: agent.name, approval: agent.approval },
    });
    await announceAgentChange({ bus: ctx.bus, log: request.log }, agent, 'enabled');
    return toAgent(agent);
  });

  route(app, agents.delete, async ({ request, principal, params: { id } }) => {
    await withdraw(request, 'agent.delete', await deleteAgent(db, principal, id));
  });

  route(app, agents.update, async ({ request, principal, params: { id }, body }) => {
    const agent = await updateAgentLabels(db, principal, id, body.labels);
    await ctx.audit.record({
      ...auditContextOf(request),
      action: 'agent.update',
      objectType: 'agent',
      objectId: id,
      change: { labels: body.labels },
    });
    await announceAgentChange({ bus: ctx.bus, log: request.log }, agent, 'labels');
    return toAgent(agent);
  });

  route(app, agents.bulkLabel, async ({ request, principal, body }) => {
    const updated = await bulkLabelAgents({
      store: ctx.store,
      scope: principal,
      request: body,
      audit: (agentIds) => ({
        ...auditContextOf(request),
        action: 'agent.bulk_label',
        objectType: 'agent',
        objectId: null,
        change: { agentIds, ...(body.set === undefined ? {} : { set: body.set }), remove: body.remove ?? [] },
      }),
    });
    request.log.info({ updated }, 'agents relabelled');
    return { updated };
  });

  route(app, agents.connections, async ({ principal, params: { id }, query }) => {
    if ((await getAgent(db, principal, id)) === undefined)
      throw new FlotillaError('AGENT_NOT_FOUND', { detail: `No agent ${id}` });
    return listConnections(db, id, query);
  });
  return Promise.resolve();
}
