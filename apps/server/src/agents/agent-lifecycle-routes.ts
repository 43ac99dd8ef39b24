import type { FastifyInstance, FastifyRequest } from 'fastify';
import { IdParamsSchema, UpdateAgentRequestSchema } from '@flotilla/protocol';
import type { Agent } from '@flotilla/protocol';
import { principalOf } from '../auth/auth-plugin.js';
import { parseInput } from '../http/parse-input.js';
import type { ServerContext } from '../server-context.js';
import { auditContextOf } from '../audit/audit-context.js';
import type { AuditAction } from '../audit/audit-log.js';
import { toAgent } from './agent-repo.js';
import { deleteAgent, disableAgent, enableAgent, rejectAgent, updateAgentLabels } from './agent-lifecycle.js';
import type { TrustChange } from './approve-agent.js';

/**
 * The rest of the agent trust lifecycle (approve and revoke are in `agent-routes.ts`): reject a
 * pending agent, disable/enable, delete, edit labels. Every change is audited; every change that
 * withdraws trust closes the agent's connection at once.
 */
export function agentLifecycleRoutes(app: FastifyInstance, ctx: ServerContext): Promise<void> {
  const db = ctx.store.db;
  const config = { permission: 'agents:write' } as const;

  const withdraw = async (request: FastifyRequest, action: AuditAction, change: TrustChange): Promise<Agent> => {
    ctx.hub.disconnect(change.disconnect, 'AGENT_REVOKED', `agent ${change.agent.name} is ${action === 'agent.delete' ? 'deleted' : change.agent.approval}`);
    await ctx.audit.record({ ...auditContextOf(request), action, objectType: 'agent', objectId: change.agent.id, change: { name: change.agent.name, approval: change.agent.approval } });
    request.log.info({ agentId: change.agent.id, action }, 'agent trust changed');
    return toAgent(change.agent);
  };

  app.post('/agents/:id/reject', { config }, async (request): Promise<Agent> => {
    const { id } = parseInput(IdParamsSchema, request.params, 'params');
    return withdraw(request, 'agent.reject', await rejectAgent(db, principalOf(request), id));
  });

  app.post('/agents/:id/disable', { config }, async (request): Promise<Agent> => {
    const { id } = parseInput(IdParamsSchema, request.params, 'params');
    return withdraw(request, 'agent.disable', await disableAgent(db, principalOf(request), id));
  });

  app.post('/agents/:id/enable', { config }, async (request): Promise<Agent> => {
    const { id } = parseInput(IdParamsSchema, request.params, 'params');
    const agent = await enableAgent(db, principalOf(request), id);
    await ctx.audit.record({ ...auditContextOf(request), action: 'agent.enable', objectType: 'agent', objectId: id, change: { name: agent.name, approval: agent.approval } });
    return toAgent(agent);
  });

  app.delete('/agents/:id', { config }, async (request, reply) => {
    const { id } = parseInput(IdParamsSchema, request.params, 'params');
    await withdraw(request, 'agent.delete', await deleteAgent(db, principalOf(request), id));
    return reply.status(204).send();
  });

  app.patch('/agents/:id', { config }, async (request): Promise<Agent> => {
    const { id } = parseInput(IdParamsSchema, request.params, 'params');
    const body = parseInput(UpdateAgentRequestSchema, request.body, 'body');
    const agent = await updateAgentLabels(db, principalOf(request), id, body.labels);
    await ctx.audit.record({ ...auditContextOf(request), action: 'agent.update', objectType: 'agent', objectId: id, change: { labels: body.labels } });
    return toAgent(agent);
  });
  return Promise.resolve();
}
