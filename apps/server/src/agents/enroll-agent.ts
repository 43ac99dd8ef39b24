import type { Kysely } from 'kysely';
import { FlotillaError } from '@flotilla/protocol';
import type { Labels } from '@flotilla/protocol';
import { newId } from '../store/ids.js';
import { nowIso } from '../store/time.js';
import type { Database } from '../store/schema.js';
import type { StoreDialect } from '../store/dialect.js';
import type { Scope } from '../store/scope.js';
import { consumeEnrollmentToken } from './enrollment-token-repo.js';
import { factColumns, findKeyChangeRequest, findTrustedAgentByName } from './agent-repo.js';
import { rememberEnrollmentProof, verifyEnrollmentProof } from './enrollment-proof.js';
import type { ProvenEnrollment } from './enrollment-proof.js';

/** A parsed enrolment request, proof included. */
export type EnrollAgentRequest = ProvenEnrollment;

export interface EnrollAgentResult {
  agentId: string;
  status: 'approved' | 'pending';
  /**
   * `created`: a new agent; `unchanged`: the trusted agent enrolled again with its own key (its
   * record is left as it was); `key-change`: a pending request to replace the trusted key.
   */
  outcome: 'created' | 'unchanged' | 'key-change';
  /** The labels the created or key-change record carries; `null` when nothing changed. */
  labels: Labels | null;
  /** The tenant and project the enrolment token enrols into. */
  scope: Scope;
}

/**
 * Enrols an agent (SPEC §4). First the proof: the request must be signed by the private key of
 * the public key it enrols (`verifyEnrollmentProof`). Then, in one transaction, spend a token
 * use, remember the proof (a replay is refused), and:
 * - no trusted agent has the name → create it, approved or pending per the token's policy;
 * - the trusted agent has the same key → answer with its id and trust state and change nothing:
 *   labels decide targeting and are the admins' to change (`PATCH /agents/:id`), never an
 *   enrolment's;
 * - the key differs → never touch the trusted key: create (or refresh) a pending key-change
 *   record that an admin must approve.
 */
export async function enrollAgent(
  db: Kysely<Database>,
  dialect: StoreDialect,
  request: EnrollAgentRequest,
): Promise<EnrollAgentResult> {
  const proof = verifyEnrollmentProof(request);
  try {
    return await db.transaction().execute(async (trx) => {
      const token = await consumeEnrollmentToken(trx, request.token);
      if (token === undefined) throw new FlotillaError('ENROLLMENT_TOKEN_INVALID');
      await rememberEnrollmentProof(trx, proof);
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
          .values({
            id,
            tenant_id: scope.tenantId,
            project_id: scope.projectId,
            name: request.name,
            public_key: request.publicKey,
            approval,
            connection: 'offline',
            replaces_agent_id: null,
            last_seen_at: null,
            created_at: now,
            ...base,
          })
          .execute();
        return { agentId: id, status: approval, outcome: 'created', labels, scope };
      }
      if (trusted.public_key === request.publicKey) {
        if (trusted.approval === 'disabled')
          throw new FlotillaError('AGENT_REVOKED', { detail: `Agent ${request.name} is disabled` });
        return {
          agentId: trusted.id,
          status: trusted.approval === 'approved' ? 'approved' : 'pending',
          outcome: 'unchanged',
          labels: null,
          scope,
        };
      }
      const request_ = await findKeyChangeRequest(trx, scope, request.name);
      if (request_ !== undefined) {
        await trx
          .updateTable('agents')
          .set({ ...base, public_key: request.publicKey })
          .where('id', '=', request_.id)
          .execute();
        return { agentId: request_.id, status: 'pending', outcome: 'key-change', labels, scope };
      }
      const id = newId('agt');
      await trx
        .insertInto('agents')
        .values({
          id,
          tenant_id: scope.tenantId,
          project_id: scope.projectId,
          name: request.name,
          public_key: request.publicKey,
          approval: 'pending',
          connection: 'offline',
          replaces_agent_id: trusted.id,
          last_seen_at: null,
          created_at: now,
          ...base,
        })
        .execute();
      return { agentId: id, status: 'pending', outcome: 'key-change', labels, scope };
    });
  } catch (err) {
    // Two first enrolments of one name at the same instant: the loser retries as a re-enrolment
    // would, but its token use was rolled back, so it simply asks again.
    if (dialect.isUniqueViolation(err))
      throw new FlotillaError('CONFLICT', {
        detail: `Agent ${request.name} is being enrolled concurrently; retry`,
        cause: err,
      });
    throw err;
  }
}
