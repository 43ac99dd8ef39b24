import type { Kysely, Selectable, Transaction } from 'kysely';
import { FlotillaError } from '@flotilla/protocol';
import type { Page, Workflow, WorkflowDetail, WorkflowVersion, WorkflowVersionSummary } from '@flotilla/protocol';
import { newestFirst, toPage } from '../store/cursor.js';
import type { Database, WorkflowTable, WorkflowVersionTable } from '../store/schema.js';
import type { Scope } from '../store/scope.js';

export type WorkflowRow = Selectable<WorkflowTable>;
export type WorkflowVersionRow = Selectable<WorkflowVersionTable>;
type Db = Kysely<Database> | Transaction<Database>;

/** A live (not deleted) workflow of the scope, or `WORKFLOW_NOT_FOUND`. */
export async function getWorkflowRow(db: Db, scope: Scope, id: string): Promise<WorkflowRow> {
  const row = await db
    .selectFrom('workflows')
    .selectAll()
    .where('id', '=', id)
    .where('tenant_id', '=', scope.tenantId)
    .where('project_id', '=', scope.projectId)
    .where('deleted_at', 'is', null)
    .executeTakeFirst();
  if (row === undefined) throw new FlotillaError('WORKFLOW_NOT_FOUND', { detail: `No workflow ${id}` });
  return row;
}

/** The live workflow holding `name` in the scope, if any. */
export function findLiveWorkflowByName(db: Db, scope: Scope, name: string): Promise<WorkflowRow | undefined> {
  return db
    .selectFrom('workflows')
    .selectAll()
    .where('tenant_id', '=', scope.tenantId)
    .where('project_id', '=', scope.projectId)
    .where('name', '=', name)
    .where('deleted_at', 'is', null)
    .executeTakeFirst();
}

/** One version of a workflow, or `NOT_FOUND` naming the version. */
export async function getVersionRow(db: Db, workflowId: string, version: number): Promise<WorkflowVersionRow> {
  const row = await db
    .selectFrom('workflow_versions')
    .selectAll()
    .where('workflow_id', '=', workflowId)
    .where('version', '=', version)
    .executeTakeFirst();
  if (row === undefined)
    throw new FlotillaError('NOT_FOUND', { detail: `Workflow ${workflowId} has no version ${version}` });
  return row;
}

/** Live workflows of the scope, newest first. */
export async function listWorkflows(
  db: Db,
  scope: Scope,
  page: { limit: number; cursor?: string | undefined },
): Promise<Page<Workflow>> {
  const query = db
    .selectFrom('workflows')
    .selectAll()
    .where('tenant_id', '=', scope.tenantId)
    .where('project_id', '=', scope.projectId)
    .where('deleted_at', 'is', null);
  const rows = await newestFirst(query, page).execute();
  return toPage(rows, page.limit, toWorkflow);
}

/** Versions of a workflow, newest first; the cursor is the last version number returned. */
export async function listVersions(
  db: Db,
  workflowId: string,
  page: { limit: number; cursor?: string | undefined },
): Promise<Page<WorkflowVersionSummary>> {
  let query = db.selectFrom('workflow_versions').selectAll().where('workflow_id', '=', workflowId);
  if (page.cursor !== undefined) query = query.where('version', '<', decodeVersionCursor(page.cursor));
  const rows = await query
    .orderBy('version', 'desc')
    .limit(page.limit + 1)
    .execute();
  const items = rows.slice(0, page.limit);
  const last = items.at(-1);
  return {
    items: items.map(toVersionSummary),
    nextCursor:
      rows.length > page.limit && last !== undefined
        ? Buffer.from(`v${last.version}`, 'utf8').toString('base64url')
        : null,
  };
}

function decodeVersionCursor(cursor: string): number {
  const match = /^v(\d{1,9})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (match?.[1] === undefined) {
    throw new FlotillaError('VALIDATION_FAILED', {
      detail: 'Invalid cursor',
      errors: [{ path: 'cursor', message: 'not a cursor returned by this API' }],
    });
  }
  return Number(match[1]);
}

export function toWorkflow(row: WorkflowRow): Workflow {
  return {
    id: row.id,
    name: row.name,
    version: row.latest_version,
    description: row.description,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    updatedBy: row.updated_by,
  };
}

export function toWorkflowDetail(row: WorkflowRow, version: WorkflowVersionRow): WorkflowDetail {
  return { ...toWorkflow(row), document: version.document };
}

export function toVersionSummary(row: WorkflowVersionRow): WorkflowVersionSummary {
  return {
    workflowId: row.workflow_id,
    version: row.version,
    name: row.name,
    change: row.change,
    restoredFrom: row.restored_from,
    createdAt: row.created_at,
    createdBy: row.created_by,
  };
}

export function toVersion(row: WorkflowVersionRow): WorkflowVersion {
  return { ...toVersionSummary(row), document: row.document };
}
