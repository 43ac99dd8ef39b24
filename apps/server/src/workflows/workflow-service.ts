import type { Kysely, Transaction } from 'kysely';
import type { FastifyBaseLogger } from 'fastify';
import { FlotillaError } from '@flotilla/protocol';
import type { WorkflowChange } from '@flotilla/protocol';
import type { ClusterLocks } from '../cluster/cluster-bus.js';
import type { GitMirror, MirrorFileChange } from '../git/git-mirror.js';
import { isRepoSegment, workflowFilePath } from '../git/repo-path.js';
import { newId } from '../store/ids.js';
import type { Database } from '../store/schema.js';
import type { Scope } from '../store/scope.js';
import { nowIso } from '../store/time.js';
import type { DocumentChecker } from './document-checker.js';
import { acceptDocument } from './workflow-document.js';
import { findLiveWorkflowByName, getVersionRow, getWorkflowRow } from './workflow-repo.js';
import type { WorkflowRow, WorkflowVersionRow } from './workflow-repo.js';

/** Who changes a workflow, and where: the author of the version and of its git commit. */
export interface WorkflowActor extends Scope {
  readonly tenantName: string;
  readonly username: string;
}

/** A workflow head with the version a change produced. */
export interface WorkflowChangeResult {
  workflow: WorkflowRow;
  version: WorkflowVersionRow;
}

export interface WorkflowServiceOptions {
  db: Kysely<Database>;
  gitMirror: GitMirror;
  logger: Pick<FastifyBaseLogger, 'error'>;
  /** Validates documents (large ones off the event loop). */
  documents: DocumentChecker;
  /** Serialises the changes of one project across replicas (the cluster bus's locks). */
  locks: ClusterLocks;
}

/**
 * Saves workflow changes as immutable versions and mirrors each one as a git commit. Changes of
 * one project are serialised (a cluster lock per project), so version numbers, name checks and
 * the commit order on the mirror all agree. The database is the source of truth: a failed mirror commit is
 * logged and does not fail the change.
 */
export class WorkflowService {
  constructor(private readonly options: WorkflowServiceOptions) {}

  /** Creates a workflow (version 1); `CONFLICT` when a live workflow of the project has the name. */
  async create(actor: WorkflowActor, document: string): Promise<WorkflowChangeResult> {
    const accepted = await acceptDocument(this.options.documents, document);
    return this.serialised(actor, async () => {
      const result = await this.options.db.transaction().execute(async (trx) => {
        await assertNameFree(trx, actor, accepted.name, undefined);
        const now = nowIso();
        const workflow: WorkflowRow = {
          id: newId('wfl'),
          tenant_id: actor.tenantId,
          project_id: actor.projectId,
          name: accepted.name,
          description: accepted.description,
          latest_version: 1,
          deleted_at: null,
          created_at: now,
          updated_at: now,
          updated_by: actor.username,
        };
        await trx.insertInto('workflows').values(workflow).execute();
        const version = await insertVersion(trx, {
          workflow,
          document,
          change: 'create',
          restoredFrom: null,
          actor,
          now,
        });
        return { workflow, version };
      });
      await this.mirror(actor, `workflow ${accepted.name}: create`, result.version.created_at, [
        { path: workflowFilePath(accepted.name), content: document },
      ]);
      return result;
    });
  }

  /** Saves a new version n+1. The name may change if no other live workflow of the project has it. */
  async update(actor: WorkflowActor, id: string, document: string): Promise<WorkflowChangeResult> {
    const { name, description } = await acceptDocument(this.options.documents, document);
    return this.serialised(actor, () =>
      this.saveVersion(actor, id, { document, name, description, change: 'update', restoredFrom: null }),
    );
  }

  /** Saves the content of version `n` as a new version (same name rules as an update). */
  restore(actor: WorkflowActor, id: string, n: number): Promise<WorkflowChangeResult> {
    return this.serialised(actor, async () => {
      await getWorkflowRow(this.options.db, actor, id);
      const old = await getVersionRow(this.options.db, id, n);
      const { name, description } = await acceptDocument(this.options.documents, old.document);
      return this.saveVersion(actor, id, {
        document: old.document,
        name,
        description,
        change: 'restore',
        restoredFrom: n,
      });
    });
  }

  /** Soft-deletes a workflow: it leaves lists and its name is free again; its versions are kept. */
  remove(actor: WorkflowActor, id: string): Promise<WorkflowRow> {
    return this.serialised(actor, async () => {
      const now = nowIso();
      const workflow = await getWorkflowRow(this.options.db, actor, id);
      await this.options.db
        .updateTable('workflows')
        .set({ deleted_at: now, updated_at: now, updated_by: actor.username })
        .where('id', '=', id)
        .execute();
      await this.mirror(actor, `workflow ${workflow.name}: delete`, now, [
        { path: workflowFilePath(workflow.name), content: null },
      ]);
      return { ...workflow, deleted_at: now };
    });
  }

  private async saveVersion(
    actor: WorkflowActor,
    id: string,
    change: {
      document: string;
      name: string;
      description: string | null;
      change: WorkflowChange;
      restoredFrom: number | null;
    },
  ): Promise<WorkflowChangeResult> {
    const now = nowIso();
    const { previousName, result } = await this.options.db.transaction().execute(async (trx) => {
      const current = await getWorkflowRow(trx, actor, id);
      if (change.name !== current.name) await assertNameFree(trx, actor, change.name, id);
      const workflow: WorkflowRow = {
        ...current,
        name: change.name,
        description: change.description,
        latest_version: current.latest_version + 1,
        updated_at: now,
        updated_by: actor.username,
      };
      await trx
        .updateTable('workflows')
        .set({
          name: workflow.name,
          description: workflow.description,
          latest_version: workflow.latest_version,
          updated_at: now,
          updated_by: actor.username,
        })
        .where('id', '=', id)
        .execute();
      const version = await insertVersion(trx, {
        workflow,
        document: change.document,
        change: change.change,
        restoredFrom: change.restoredFrom,
        actor,
        now,
      });
      return { previousName: current.name, result: { workflow, version } };
    });
    const files: MirrorFileChange[] = [{ path: workflowFilePath(change.name), content: change.document }];
    if (previousName !== change.name) files.unshift({ path: workflowFilePath(previousName), content: null });
    const verb =
      change.change === 'restore' ? `restore v${String(change.restoredFrom)}` : `update v${result.version.version}`;
    await this.mirror(actor, `workflow ${change.name}: ${verb}`, now, files);
    return result;
  }

  private serialised<T>(actor: WorkflowActor, task: () => Promise<T>): Promise<T> {
    return this.options.locks.run(`workflows/${actor.tenantId}/${actor.projectId}`, task);
  }

  private async mirror(
    actor: WorkflowActor,
    message: string,
    date: string,
    changes: MirrorFileChange[],
  ): Promise<void> {
    if (!this.options.gitMirror.enabled) return;
    try {
      const project = await this.options.db
        .selectFrom('projects')
        .select('name')
        .where('id', '=', actor.projectId)
        .executeTakeFirstOrThrow();
      if (!isRepoSegment(actor.tenantName) || !isRepoSegment(project.name)) return;
      await this.options.gitMirror.commit({
        tenant: actor.tenantName,
        project: project.name,
        author: { name: actor.username, email: `${actor.username}@flotilla.local` },
        message,
        date,
        changes,
      });
    } catch (err) {
      this.options.logger.error({ err, message }, 'git mirror commit failed; the change is saved but not mirrored');
    }
  }
}

async function assertNameFree(
  db: Transaction<Database>,
  scope: Scope,
  name: string,
  exceptId: string | undefined,
): Promise<void> {
  const holder = await findLiveWorkflowByName(db, scope, name);
  if (holder !== undefined && holder.id !== exceptId) {
    throw new FlotillaError('CONFLICT', {
      detail: `A workflow named ${JSON.stringify(name)} already exists in this project (${holder.id})`,
    });
  }
}

async function insertVersion(
  db: Transaction<Database>,
  v: {
    workflow: WorkflowRow;
    document: string;
    change: WorkflowChange;
    restoredFrom: number | null;
    actor: WorkflowActor;
    now: string;
  },
): Promise<WorkflowVersionRow> {
  const row: WorkflowVersionRow = {
    workflow_id: v.workflow.id,
    version: v.workflow.latest_version,
    name: v.workflow.name,
    document: v.document,
    change: v.change,
    restored_from: v.restoredFrom,
    created_by: v.actor.username,
    created_at: v.now,
  };
  await db.insertInto('workflow_versions').values(row).execute();
  return row;
}
