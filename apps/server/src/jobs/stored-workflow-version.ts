import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.js';
import type { Scope } from '../store/scope.js';

/** A saved version of one of the project's workflows. */
export interface StoredWorkflowVersion {
  workflowId: string;
  version: number;
}

/**
 * The saved version a job's document is: a live workflow of the project with a version of this
 * name whose document is the same text, byte for byte (the newest such version). A document
 * submitted as written elsewhere is ad hoc (`undefined`), even when it differs by a comment.
 */
export async function findStoredWorkflowVersion(
  db: Kysely<Database>,
  scope: Scope,
  document: { name: string; text: string },
): Promise<StoredWorkflowVersion | undefined> {
  const row = await db
    .selectFrom('workflow_versions')
    .innerJoin('workflows', 'workflows.id', 'workflow_versions.workflow_id')
    .select(['workflow_versions.workflow_id', 'workflow_versions.version'])
    .where('workflows.tenant_id', '=', scope.tenantId)
    .where('workflows.project_id', '=', scope.projectId)
    .where('workflows.deleted_at', 'is', null)
    .where('workflow_versions.name', '=', document.name)
    .where('workflow_versions.document', '=', document.text)
    .orderBy('workflow_versions.version', 'desc')
    .executeTakeFirst();
  return row === undefined ? undefined : { workflowId: row.workflow_id, version: row.version };
}
