import type { FastifyInstance } from 'fastify';
import { apiRoutes, EnrollRequestSchema, FlotillaError } from '@flotilla/protocol';
import { route } from '../http/contract-route.js';
import type { ServerContext } from '../server-context.js';
import { agentAuditContext, auditContextOf } from '../audit/audit-context.js';
import { announceEnrolment, announceTrustChange } from './agent-announcements.js';
import { getAgent, toAgent } from './agent-repo.js';
import { listAgents, selectorOfQuery } from './agent-list.js';
import { approveAgent, revokeAgent } from './approve-agent.js';
import { enrollAgent } from './enroll-agent.js';

const agents = apiRoutes.agents;

/** The enrolment schema with `proof` optional, so a request of an older agent gets its own error. */
const LegacyTolerantEnrollSchema = EnrollRequestSchema.partial({ proof: true });

/** `POST /agents/enroll` (public: the enrollment token is the credential) and the agent admin routes. */
export function agentRoutes(app: FastifyInstance, ctx: ServerContext): Promise<void> {
  route(app, agents.enroll, {
    tolerantBody: LegacyTolerantEnrollSchema,
    handler: async ({ request, body }) => {
      // An agent from before enrolment proofs: a well-formed request without `proof`. It cannot be
      // told from an attacker holding only a public key, so it is refused, with the code such an
      // agent already reports as fatal (its message says to upgrade).
      if (body.proof === undefined) {
        throw new FlotillaError('PROTOCOL_VERSION_UNSUPPORTED', {
          detail:
            'Enrolment needs a proof of key possession (`proof`), which this agent does not send: upgrade the agent',
        });
      }
      const result = await enrollAgent(ctx.store.db, ctx.store.dialect, { ...body, proof: body.proof });
      await ctx.audit.record({
        ...(await agentAuditContext(ctx.store.db, result.agentId, request.ip)),
        action: 'agent.enroll',
        objectType: 'agent',
        objectId: result.agentId,
        change: {
          name: body.name,
          status: result.status,
          outcome: result.outcome,
          ...(result.labels === null ? {} : { labels: result.labels }),
        },
      });
      await announceEnrolment({ bus: ctx.bus, log: request.log }, body.name, result);
      request.log.info(
        { agentId: result.agentId, name: body.name, status: result.status, outcome: result.outcome },
        'agent enrolled',
      );
      return {
        agentId: result.agentId,
        status: result.status,
        serverPublicKey: ctx.serverKey.publicKey,
        serverKeyId: ctx.serverKey.keyId,
      };
    },
  });

  route(app, agents.list, ({ principal, query }) =>
    listAgents(ctx.store.db, ctx.store.dialect, principal, { ...query, selector: selectorOfQuery(query.selector) }),
  );

  route(app, agents.get, async ({ principal, params: { id } }) => {
    const row = await getAgent(ctx.store.db, principal, id);
    if (row === undefined) throw new FlotillaError('AGENT_NOT_FOUND', { detail: `No agent ${id}` });
    return toAgent(row);
  });

  route(app, agents.approve, async ({ request, principal, params: { id } }) => {
    const change = await approveAgent(ctx.store.db, principal, id);
    ctx.hub.disconnect(
      change.disconnect,
      'AGENT_REVOKED',
      `agent ${change.agent.name}: its key was replaced by an approved key change`,
    );
    await ctx.audit.record({
      ...auditContextOf(request),
      action: 'agent.approve',
      objectType: 'agent',
      objectId: id,
      change: { approval: change.agent.approval, revoked: change.disconnect },
    });
    await announceTrustChange({ bus: ctx.bus, log: request.log }, change, 'approved');
    request.log.info({ agentId: id, revoked: change.disconnect }, 'agent approved');
    return toAgent(change.agent);
  });

  route(app, agents.revoke, async ({ request, principal, params: { id } }) => {
    const change = await revokeAgent(ctx.store.db, principal, id);
    ctx.hub.disconnect(change.disconnect, 'AGENT_REVOKED', `agent ${change.agent.name} is revoked`);
    await ctx.audit.record({
      ...auditContextOf(request),
      action: 'agent.revoke',
      objectType: 'agent',
      objectId: id,
      change: { approval: 'revoked' },
    });
    await announceTrustChange({ bus: ctx.bus, log: request.log }, change, 'revoked');
    request.log.info({ agentId: id }, 'agent revoked');
    return toAgent(change.agent);
  });
  return Promise.resolve();
}
