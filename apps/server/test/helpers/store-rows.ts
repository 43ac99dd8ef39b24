import type { Kysely } from 'kysely';
import type { NewJob } from '../../src/jobs/job-repo.js';
import type { Database } from '../../src/store/schema.js';
import type { Scope } from '../../src/store/scope.js';

/** The default tenant and its default project, as `bootstrapFirstStart` creates them. */
export async function defaultScope(db: Kysely<Database>): Promise<Scope> {
  const tenant = await db.selectFrom('tenants').select('id').where('name', '=', 'default').executeTakeFirstOrThrow();
  const project = await db
    .selectFrom('projects')
    .select('id')
    .where('tenant_id', '=', tenant.id)
    .executeTakeFirstOrThrow();
  return { tenantId: tenant.id, projectId: project.id };
}

/** A bare approved, offline agent row: what runs need to exist. */
export function bareAgentRow(scope: Scope, id: string, name: string, now = new Date().toISOString()) {
  return {
    id,
    tenant_id: scope.tenantId,
    project_id: scope.projectId,
    name,
    public_key: 'unused',
    approval: 'approved' as const,
    connection: 'offline' as const,
    replaces_agent_id: null,
    labels: '{}',
    facts: '{}',
    hostname: null,
    os: null,
    arch: null,
    version: null,
    last_seen_at: null,
    created_at: now,
    updated_at: now,
  };
}

/** A minimal job with one run on `agentId`, for tests that need a run row to act on. */
export function oneRunJob(agentId: string): NewJob {
  return {
    workflowName: 'w',
    workflowText: 'name: w',
    secretNames: [],
    inputs: {},
    target: {},
    runs: [{ agentId, batch: 0 }],
    rollout: null,
    expiresAt: null,
    createdBy: null,
  };
}
