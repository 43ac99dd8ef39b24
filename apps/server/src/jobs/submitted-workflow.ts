import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.js';
import type { Scope } from '../store/scope.js';
import { getVersionRow, getWorkflowRow } from '../workflows/workflow-repo.js';

/** What `POST /jobs` names to run: a document, or a stored workflow (at a version or its latest). */
export interface WorkflowChoice {
  workflow?: string | undefined;
  workflowId?: string | undefined;
  version?: number | undefined;
}

/** The document a job runs, and the stored workflow version it came from (when it came from one). */
export interface SubmittedWorkflow {
  text: string;
  stored?: { workflowId: string; version: number } | undefined;
}

/**
 * The document of a job: the text given, or the document of a live workflow of the scope
 * (`WORKFLOW_NOT_FOUND`; a version it does not have: `NOT_FOUND`). The request schema lets
 * exactly one of `workflow` and `workflowId` through.
 */
export async function submittedWorkflow(
  db: Kysely<Database>,
  scope: Scope,
  choice: WorkflowChoice,
): Promise<SubmittedWorkflow> {
  if (choice.workflowId === undefined) {
    if (choice.workflow === undefined) throw new Error('POST /jobs parsed without workflow nor workflowId');
    return { text: choice.workflow };
  }
  const workflow = await getWorkflowRow(db, scope, choice.workflowId);
  const version = await getVersionRow(db, workflow.id, choice.version ?? workflow.latest_version);
  return { text: version.document, stored: { workflowId: workflow.id, version: version.version } };
}
