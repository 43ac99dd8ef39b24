import type { Kysely } from 'kysely';
import { FlotillaError } from '@flotilla/protocol';
import type { AgentFacts, Labels } from '@flotilla/protocol';
import { newId } from '../store/ids.js';
import { nowIso } from '../store/time.js';
import type { Database } from '../store/schema.js';
import type { StoreDialect } from '../store/dialect.js';
import { consumeEnrollmentToken } from './enrollment-token-repo.js';
import { factColumns, findKeyChangeRequest, findTrustedAgentByName } from './agent-repo.js';

/** A validated enrolment request. */
export interface EnrollAgentRequest {
  token: string;
  publicKey: string;
  name: string;
  labels: Labels;
  facts: AgentFacts;
}

export interface EnrollAgentResult {
  agentId: string;
  status: 'approved' | 'pending';
}

/**
 * Enrols an agent (SPEC §4). In one transaction: spend a token use, then
 * - no trusted agent has the name → create it, approved or pending per the token's policy;
 * - the trusted agent has the same key → a re-enrolment: refresh facts, keep the id and trust;
 * - the key differs → never touch the trusted key: create (or refresh) a pending key-change
 *   record that an admin must approve.
 */
export async function enrollAgent(db: Kysely<Database>, dialect: StoreDialect, request: EnrollAgentRequest): Promise<EnrollAgentResult> {
  try {
    return await db.transaction().execute(async (trx) => {
      const token = await consumeEnrollmentToken(trx, request.token);
      if (token === undefined) throw new FlotillaError('ENROLLMENT_TOKEN_INVALID');
      const scope = { tenantId: token.tenant_id, projectId: token.project_id };
      const labels = { ...(JSON.parse(token.labels) as Labels), ...request.labels };
      const now = nowIso();
      const base = { labels: JSON.stringify(labels), ...factColumns(request.facts), updated_at: now };

      const trusted = await findTrustedAgentByName(trx, scope, request.name);
      if (trusted === undefined) {
        const id = newId('agt');
        const approval = token.policy === 'auto-approve' ? 'approved' : 'pending';
        await trx
          .insertInto('agents')
          .values({ id, tenant_id: scope.tenantId, project_id: scope.projectId, name: request.name, public_key: request.publicKey, approval, connection: 'offline', replaces_agent_id: null, last_seen_at: null, created_at: now, ...base })
          .execute();
        return { agentId: id, status: approval };
      }
      if (trusted.public_key === request.publicKey) {
        if (trusted.approval === 'disabled') throw new FlotillaError('AGENT_REVOKED', { detail: `Agent ${request.name} is disabled` });
        await trx.updateTable('agents').set(base).where('id', '=', trusted.id).execute();
        return { agentId: trusted.id, status: trusted.approval === 'approved' ? 'approved' : 'pending' };
      }
      const request_ = await findKeyChangeRequest(trx, scope, request.name);
      if (request_ !== undefined) {
        await trx.updateTable('agents').set({ ...base, public_key: request.publicKey }).where('id', '=', request_.id).execute();
        return { agentId: request_.id, status: 'pending' };
      }
      const id = newId('agt');
      await trx
        .insertInto('agents')
        .values({ id, tenant_id: scope.tenantId, project_id: scope.projectId, name: request.name, public_key: request.publicKey, approval: 'pending', connection: 'offline', replaces_agent_id: trusted.id, last_seen_at: null, created_at: now, ...base })
        .execute();
      return { agentId: id, status: 'pending' };
    });
  } catch (err) {
    // Two first enrolments of one name at the same instant: the loser retries as a re-enrolment
    // would, but its token use was rolled back, so it simply asks again.
    if (dialect.isUniqueViolation(err)) throw new FlotillaError('CONFLICT', { detail: `Agent ${request.name} is being enrolled concurrently; retry`, cause: err });
    throw err;
  }
}
